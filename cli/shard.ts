/**
 * `segment --shard K/N`: one of N jobs (a Kubernetes Indexed Job, a Slurm array task) takes a fixed share of
 * a folder, and `segment --merge` checks that every share finished and writes the summary of the whole
 * folder. Deterministic: the inputs are sorted by name (code-point order, the same on every machine and
 * locale) and image i goes to shard (i mod N) + 1, so the N shares are disjoint and cover the folder, and
 * their sizes differ by at most one. Each shard records what it was given and what it did in
 * `shards/K-of-N.json` inside the output folder; the merge refuses a set of records that does not add up.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { UsageError } from './args';

export interface Shard {
  /** 1-based, as in `--shard 1/4` (Kubernetes: JOB_COMPLETION_INDEX + 1). */
  readonly index: number;
  readonly count: number;
}

/** One image's line of the summary: what segment wrote for it. */
export interface SummaryRow {
  /** File name of the input (with extension) and, for multi-page TIFFs, the page (1-based). */
  readonly image: string;
  readonly page: number;
  readonly width: number;
  readonly height: number;
  readonly objects: number;
}

/** What one shard was given and did. */
export interface ShardRecord {
  readonly shard: Shard;
  /** Number of input files of the whole (filtered) folder, and a hash of their sorted names. */
  readonly totalInputs: number;
  readonly inputsHash: string;
  /** This shard's inputs (file names). */
  readonly inputs: readonly string[];
  readonly rows: readonly SummaryRow[];
  /** Inputs that could not be segmented, with the reason. */
  readonly failed: readonly { readonly image: string; readonly error: string }[];
}

/** Parses "K/N" (1 <= K <= N). */
export function parseShard(spec: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
  if (!m) throw new UsageError(`--shard must look like K/N (e.g. 2/8), got '${spec}'`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new UsageError(`--shard ${spec}: N must be at least 1`);
  if (index < 1 || index > count) throw new UsageError(`--shard ${spec}: K must be between 1 and N (shards are numbered from 1)`);
  return { index, count };
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The folder's inputs in the order shards are dealt from: by file name, code-point order. */
export function shardOrder(files: readonly string[]): string[] {
  return [...files].sort((a, b) => byCodePoint(path.basename(a), path.basename(b)) || byCodePoint(a, b));
}

/** The inputs of one shard: every N-th file of the sorted list, starting at K - 1. */
export function shardFiles(files: readonly string[], shard: Shard): string[] {
  return shardOrder(files).filter((_, i) => i % shard.count === shard.index - 1);
}

/** A hash of the sorted input names: two shards saw the same folder only if theirs agree. */
export function inputsHash(files: readonly string[]): string {
  return createHash('sha256')
    .update(shardOrder(files).map((f) => path.basename(f)).join('\n'))
    .digest('hex')
    .slice(0, 16);
}

const recordDir = 'shards';
const recordName = (shard: Shard) => `${shard.index}-of-${shard.count}.json`;

export function writeShardRecord(outDir: string, record: ShardRecord): string {
  const dir = path.join(outDir, recordDir);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, recordName(record.shard));
  writeFileSync(file, JSON.stringify(record, null, 2) + '\n');
  return file;
}

const csvField = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** summary.csv: one line per image (and page), sorted like the inputs. */
export function summaryCsv(rows: readonly SummaryRow[]): string {
  const sorted = [...rows].sort((a, b) => byCodePoint(a.image, b.image) || a.page - b.page);
  const lines = sorted.map((r) => [csvField(r.image), r.page, r.width, r.height, r.objects].join(','));
  return ['image,page,width,height,objects', ...lines].join('\n') + '\n';
}

/** The merged result of all shards of one run. */
export interface MergeResult {
  readonly count: number;
  readonly rows: readonly SummaryRow[];
  readonly failed: readonly { readonly image: string; readonly error: string }[];
}

/**
 * Reads `shards/*-of-N.json` of `outDir`, checks that shards 1..N are all there, saw the same folder, and
 * together covered every input exactly once, then returns their rows. Throws with a message naming what is
 * missing or inconsistent (a shard still running, or run on a different folder).
 */
export function mergeShards(outDir: string): MergeResult {
  const dir = path.join(outDir, recordDir);
  if (!existsSync(dir)) throw new UsageError(`no shard records in '${dir}': run segment --shard K/N --out ${outDir} first`);
  const records = readdirSync(dir)
    .filter((f) => /^\d+-of-\d+\.json$/.test(f))
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as ShardRecord);
  if (records.length === 0) throw new UsageError(`no shard records in '${dir}'`);
  const counts = new Set(records.map((r) => r.shard.count));
  if (counts.size > 1) throw new Error(`shard records of different splits in '${dir}': N = ${[...counts].join(', ')}`);
  const count = records[0].shard.count;
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((k) => !records.some((r) => r.shard.index === k));
  if (missing.length > 0) throw new Error(`shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${count} not finished (no record in '${dir}')`);
  const hashes = new Set(records.map((r) => r.inputsHash));
  if (hashes.size > 1) throw new Error('the shards saw different input folders (their input lists differ); rerun them on the same files');
  const seen = new Set<string>();
  for (const r of records) {
    for (const image of r.inputs) {
      if (seen.has(image)) throw new Error(`${image} was given to more than one shard`);
      seen.add(image);
    }
  }
  if (seen.size !== records[0].totalInputs) throw new Error(`the shards covered ${seen.size} of ${records[0].totalInputs} inputs`);
  return { count, rows: records.flatMap((r) => r.rows), failed: records.flatMap((r) => r.failed) };
}
