import { unzipSync, type UnzipFileInfo } from 'fflate';
import { entryNameProblem, isClutterEntry, isDirectoryEntry } from '../image/entryNames';
import { formatBytes, refuse } from './importErrors';

/*
 * Reading a ZIP that a user hands us, without trusting it. The central directory (names, sizes,
 * compression) is read first with nothing inflated; every name is checked, duplicates and oversized
 * entries are refused; only then are the entries inflated, each into a buffer of exactly its declared
 * size, so a "zip bomb" cannot allocate more than the limits allow. An entry that inflates to fewer
 * bytes than declared is refused as damaged.
 */

/** Limits on what an import may unpack. */
export interface ImportLimits {
  /** Most entries in one archive (directory and OS-clutter entries included). */
  readonly maxEntries: number;
  /** Largest single entry, uncompressed. */
  readonly maxEntryBytes: number;
  /** Largest total of all entries, uncompressed (nested archives included). */
  readonly maxTotalBytes: number;
  /** Largest JSON file (model.json, model-card.json); they are parsed as one string. */
  readonly maxJsonBytes: number;
}

/**
 * Defaults: a depth-4, 64-filter U-Net (the paper's, 31 M parameters) is 124 MB of float32 weights, so
 * 256 MiB per entry leaves room for the largest architecture we build while keeping a worker's memory safe.
 */
export const DEFAULT_IMPORT_LIMITS: ImportLimits = {
  maxEntries: 64,
  maxEntryBytes: 256 * 1024 * 1024,
  maxTotalBytes: 512 * 1024 * 1024,
  maxJsonBytes: 16 * 1024 * 1024,
};

/** Files by name ('/'-separated relative paths), data entries only. */
export type EntryMap = ReadonlyMap<string, Uint8Array>;

/** ZIP local-file or end-of-central-directory signatures ('PK\x03\x04', 'PK\x05\x06'). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5) && bytes[3] === bytes[2] + 1;
}

function listEntries(bytes: Uint8Array, label: string): UnzipFileInfo[] {
  const infos: UnzipFileInfo[] = [];
  try {
    unzipSync(bytes, {
      filter: (info) => {
        infos.push(info);
        return false;
      },
    });
  } catch (error) {
    refuse('not-a-zip', `${label} is not a readable ZIP archive (${(error as Error).message})`);
  }
  return infos;
}

/** What the checks need to know of an entry before its data is read. */
export interface EntryInfo {
  readonly name: string;
  /** Uncompressed size as declared (by the ZIP's central directory, or the file itself). */
  readonly originalSize: number;
  /** ZIP compression method: 0 stored, 8 deflate (loose files: 0). */
  readonly compression: number;
}

/**
 * Checks names, duplicates, counts and declared sizes of an archive's (or a dropped folder's) entries;
 * returns the data entries worth reading (no directories, no OS clutter).
 */
export function checkEntryList<T extends EntryInfo>(infos: readonly T[], label: string, limits: ImportLimits, budget: number): T[] {
  if (infos.length > limits.maxEntries) {
    refuse('too-large', `${label} has ${infos.length} entries; at most ${limits.maxEntries} are accepted`);
  }
  const seen = new Set<string>();
  const wanted: T[] = [];
  let total = 0;
  for (const info of infos) {
    const problem = entryNameProblem(info.name);
    if (problem !== null) refuse('unsafe-name', `${label} contains the entry "${info.name}", which is refused: ${problem}`);
    // Case-insensitive: on Windows and macOS "Model.json" and "model.json" would be one file.
    const key = info.name.toLowerCase();
    if (seen.has(key)) refuse('duplicate-name', `${label} contains "${info.name}" twice`);
    seen.add(key);
    if (isDirectoryEntry(info.name) || isClutterEntry(info.name)) continue;
    if (info.originalSize > limits.maxEntryBytes) {
      refuse(
        'too-large',
        `${label}: "${info.name}" is ${formatBytes(info.originalSize)} uncompressed; the limit is ${formatBytes(limits.maxEntryBytes)}`,
      );
    }
    if (info.compression !== 0 && info.compression !== 8) {
      refuse('not-a-zip', `${label}: "${info.name}" uses compression method ${info.compression}; only stored and deflate are read`);
    }
    total += info.originalSize;
    wanted.push(info);
  }
  if (total > budget) {
    refuse('too-large', `${label} unpacks to ${formatBytes(total)}; the limit is ${formatBytes(budget)}`);
  }
  return wanted;
}

/**
 * Unpacks a ZIP after checking every entry name and size against `limits`. Directory entries and OS
 * clutter (__MACOSX/, .DS_Store) are checked but left out of the result. `budget` is what is left of
 * `limits.maxTotalBytes` (less than the whole when this archive is nested in another).
 */
export function readZipEntries(
  bytes: Uint8Array,
  limits: ImportLimits = DEFAULT_IMPORT_LIMITS,
  label = 'the ZIP',
  budget = limits.maxTotalBytes,
): Map<string, Uint8Array> {
  if (!looksLikeZip(bytes)) refuse('not-a-zip', `${label} is not a ZIP archive`);
  const wanted = checkEntryList(listEntries(bytes, label), label, limits, budget);
  const declared = new Map(wanted.map((info) => [info.name, info.originalSize]));
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, { filter: (info) => declared.has(info.name) });
  } catch (error) {
    return refuse('not-a-zip', `${label} is damaged: ${(error as Error).message}`);
  }
  const out = new Map<string, Uint8Array>();
  for (const [name, size] of declared) {
    const data = files[name];
    if (data === undefined || data.length !== size) {
      refuse('not-a-zip', `${label} is damaged: "${name}" unpacks to ${data?.length ?? 0} bytes, its header says ${size}`);
    }
    out.set(name, data);
  }
  return out;
}
