/**
 * Fine-tuning benchmark (issue 8): simulated user corrections on data the shipped models never trained on,
 * fine-tune, then score the held-out images and the held-out corrections again. Timing and scores live
 * here, never in tests.
 *
 *   npm run bench:finetune -- [--case nuclei|em|em1024|all] [--fold 1|2] [--corrections squares|scribbles|scribbles-far|all]
 *     [--strategy NAME[,NAME]|all|card] [--steps N] [--seed 1] [--quick] [--groups A|B] [--log FILE.jsonl] [--budget-mib 512]
 *   npm run bench:finetune -- --report FILE.jsonl[,FILE.jsonl] [--json OUT.json]
 *
 * Each run appends one JSON line to --log (default bench/out/finetune-runs.jsonl), so long grids can be
 * split over several background processes; --report merges logs into a table and a summary JSON.
 * The starting model's scores are cached in bench/out/finetune-cache. Runs loop strategy-major over the
 * chosen cases and correction kinds (interleaved), so a change of machine load hits all alike.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { modelPostProcessing } from '../src/image/postProcessing';
import { choiceFlag, numberFlag, optionalString, parseFlags, runMain, UsageError } from '../cli/args';
import type { OptionSpec } from '../cli/args';
import { initNodeBackend } from '../cli/backend';
import { loadModelDir } from '../cli/modelFiles';
import { defaultLocations, loadCase, modelDirOf } from './finetuneCases';
import type { CaseData, CaseName } from './finetuneCases';
import { correctionKinds } from './finetuneCorrections';
import type { CorrectionKind } from './finetuneCorrections';
import { startingPoint } from './finetuneEval';
import type { StartingPoint } from './finetuneEval';
import { latestRecords, markdownTable, summaryRows } from './finetuneReport';
import { fineTuneTuner, legacyTuner, runOne } from './finetuneRun';
import type { RunRecord } from './finetuneRun';
import { strategiesByName } from './finetuneStrategies';
import type { Strategy } from './finetuneStrategies';

const USAGE = `usage: npm run bench:finetune -- [--case nuclei|em|em1024|all] [--fold 1|2] [--corrections squares|scribbles|scribbles-far|all]
         [--strategy NAME[,NAME]|all|card] [--steps N] [--seed 1] [--quick] [--groups A|B] [--log FILE.jsonl] [--budget-mib 512] [--data DIR] [--models DIR]
         [--objects plain|card]
       npm run bench:finetune -- --report FILE.jsonl[,FILE.jsonl] [--json OUT.json]`;

const SPEC: OptionSpec = {
  case: { type: 'string' },
  fold: { type: 'string' },
  corrections: { type: 'string' },
  strategy: { type: 'string' },
  steps: { type: 'string' },
  seed: { type: 'string' },
  quick: { type: 'boolean' },
  log: { type: 'string' },
  data: { type: 'string' },
  models: { type: 'string' },
  report: { type: 'string' },
  groups: { type: 'string' },
  'budget-mib': { type: 'string' },
  json: { type: 'string' },
  objects: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

function readRecords(files: readonly string[]): RunRecord[] {
  const lines = files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim() !== ''));
  return latestRecords(lines.map((l) => JSON.parse(l) as RunRecord));
}

/** Writes the summary (no per-image rows: the committed JSON stays small). */
function writeSummary(records: readonly RunRecord[], file: string): void {
  const runs = records.map((r) => ({ ...r, perImageAfter: undefined }));
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ rows: summaryRows(records), runs }, null, 2) + '\n');
  log(`summary written to ${file}`);
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), SPEC);
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const report = optionalString(flags, 'report');
  if (report !== undefined) {
    const records = readRecords(report.split(','));
    process.stdout.write(`${markdownTable(summaryRows(records))}\n`);
    const json = optionalString(flags, 'json');
    if (json !== undefined) writeSummary(records, json);
    return;
  }
  const quick = flags.quick === true;
  const caseSpec = choiceFlag(flags, 'case', ['nuclei', 'em', 'em1024', 'all'] as const, 'all');
  const cases: CaseName[] = caseSpec === 'all' ? ['nuclei', 'em'] : [caseSpec];
  const fold = choiceFlag(flags, 'fold', ['1', '2'] as const, '1');
  const kindSpec = choiceFlag(flags, 'corrections', ['squares', 'scribbles', 'scribbles-far', 'all'] as const, 'all');
  const kinds: readonly CorrectionKind[] = kindSpec === 'all' ? correctionKinds : [kindSpec];
  const stepsOverride = numberFlag(flags, 'steps', undefined, { integer: true, min: 1 }) ?? (quick ? 4 : undefined);
  let strategies: Strategy[];
  try {
    strategies = strategiesByName(optionalString(flags, 'strategy') ?? 'all');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (stepsOverride !== undefined) strategies = strategies.map((s) => ({ ...s, steps: stepsOverride }));
  // The app's budget on WASM, WebGL and CPU (src/worker/modelHandlers.ts defaultBudget): it sizes the tile.
  const budgetBytes = numberFlag(flags, 'budget-mib', 512, { min: 16 }) * 2 ** 20;
  const seed = numberFlag(flags, 'seed', 1, { integer: true, min: 0 });
  const logFile = optionalString(flags, 'log') ?? path.join('bench', 'out', 'finetune-runs.jsonl');
  const where = { dataDir: optionalString(flags, 'data') ?? defaultLocations.dataDir, modelsDir: optionalString(flags, 'models') ?? defaultLocations.modelsDir };
  const cacheDir = path.join('bench', 'out', 'finetune-cache');
  const groups = optionalString(flags, 'groups')?.split(',');

  const backend = await initNodeBackend('wasm');
  // plain (the published table): threshold 0.5 and connected pieces, what fine-tuning does to the model;
  // card: the model's own post-processing, what a user gets (a boundary-class model's objects need it).
  const objects = choiceFlag(flags, 'objects', ['plain', 'card'] as const, 'plain');
  const prepared: { data: CaseData; start: StartingPoint }[] = [];
  for (const name of cases) {
    const { segmenter, card } = await loadModelDir(modelDirOf(name, where));
    const loaded = loadCase(name, fold, card, where, quick ? (name === 'nuclei' ? 4 : 1) : undefined);
    const data = objects === 'card' ? { ...loaded, score: { ...loaded.score, postProcessing: modelPostProcessing(card) } } : loaded;
    const start = await startingPoint(segmenter, card, data, cacheDir, log);
    // --groups A: score only half A of the nuclei (the selection half), half the cost of a grid run.
    const keep = (group: string): boolean => groups === undefined || groups.includes(group) || name !== 'nuclei';
    prepared.push({
      data: { ...data, scoring: data.scoring.filter((s) => keep(s.group)) },
      start: { ...start, scores: start.scores.filter((s) => keep(s.group)) },
    });
    segmenter.dispose();
  }
  mkdirSync(path.dirname(logFile), { recursive: true });
  const records: RunRecord[] = [];
  for (const strategy of strategies) {
    for (const { data, start } of prepared) {
      for (const kind of kinds) {
        log(`${data.name} fold ${data.fold} · ${kind} · ${strategy.name} · seed ${seed}`);
        const tuner = strategy.legacy ? legacyTuner : fineTuneTuner(budgetBytes);
        const record: RunRecord = { ...(await runOne(data, start, kind, strategy, seed, tuner, backend, log)), objects };
        appendFileSync(logFile, JSON.stringify(record) + '\n');
        records.push(record);
      }
    }
  }
  process.stdout.write(`${markdownTable(summaryRows(records))}\n`);
  log(`records appended to ${logFile}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) runMain(USAGE, main);
