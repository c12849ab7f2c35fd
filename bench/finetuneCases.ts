/**
 * The two benchmark cases of bench/finetune.ts, on data the shipped models never trained on:
 * - nuclei: the DSB 2018 size group 360x360 (held out of the nuclei model's training). Two images get the
 *   corrections; the other 88 are scored, split at random into halves A (used to choose the defaults) and
 *   B (only to confirm the choice).
 * - em: ISBI 2012 slices 20-24 (held out of the EM model's training). Fold 1 corrects 20-21 and scores
 *   22-24 (used to choose); fold 2 corrects 23-24 and scores 20-22 (only to confirm).
 * - em1024: the time of a fine-tune on the largest case, one 1024x1024 EM image (a 2x2 mosaic of
 *   slices 20-23, normalised as one image); slice 24 is scored only so that the run is complete.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { prepareInput } from '../src/image/normalize';
import { plainPostProcessing } from '../src/image/postProcessing';
import type { FloatPlane, RasterImage } from '../src/image/types';
import { createRng } from '../src/model/random';
import type { ModelCard } from '../src/model/types';
import { labelFileFor, labelsFromRaster, readRaster } from '../cli/dataset';
import type { ScoreOptions } from '../cli/evaluate';

/** em1024: timing only, the worst case (one 1024x1024 EM image: a 2x2 mosaic of slices 20-23). */
export type CaseName = 'nuclei' | 'em' | 'em1024';

/** One image with its ground truth, ready for the model. */
export interface BenchImage {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly image: FloatPlane;
  /** The label file as read (what `npm run evaluate` scores against). */
  readonly truthRaster: RasterImage;
  /** Dense partial labels from the truth (1 background, 2 foreground; EM foreground = membrane). */
  readonly truth: Uint8Array;
}

/** What one run fine-tunes on and scores on. */
export interface CaseData {
  readonly name: CaseName;
  /** 'A+B' for nuclei (one fine-tune, both halves scored); '1' or '2' for EM. */
  readonly fold: string;
  readonly modelDir: string;
  readonly score: ScoreOptions;
  /** The two images the corrections are painted on. */
  readonly corrections: readonly BenchImage[];
  /** Held-out images, each tagged with its group ('A'/'B' for nuclei, the fold for EM). */
  readonly scoring: readonly { readonly image: BenchImage; readonly group: string }[];
}

/** Where the data and models are; relative to the repository root by default. */
export interface CaseLocations {
  readonly dataDir: string;
  readonly modelsDir: string;
}

export const defaultLocations: CaseLocations = { dataDir: '../shared/data', modelsDir: 'public/models' };

/** Rasters of equal size and format side by side, `columns` per row. */
function mosaic(rasters: readonly RasterImage[], columns: number): RasterImage {
  const { width, height, channels, bitDepth } = rasters[0];
  const rows = Math.ceil(rasters.length / columns);
  const W = width * columns;
  const data = new (rasters[0].data.constructor as new (n: number) => RasterImage['data'])(W * height * rows * channels);
  rasters.forEach((r, k) => {
    if (r.width !== width || r.height !== height || r.channels !== channels) throw new Error('mosaic: rasters differ in size or channels');
    const ox = (k % columns) * width;
    const oy = Math.floor(k / columns) * height;
    for (let y = 0; y < height; y++) {
      data.set(r.data.subarray(y * width * channels, (y + 1) * width * channels), ((oy + y) * W + ox) * channels);
    }
  });
  return { width: W, height: height * rows, channels, bitDepth, data };
}

function benchImage(stem: string, raster: RasterImage, truthRaster: RasterImage, card: ModelCard, em: boolean): BenchImage {
  const { width, height } = raster;
  const { labels } = em
    ? labelsFromRaster(truthRaster, 'binary', 'membranes', 0, stem)
    : labelsFromRaster(truthRaster, 'instance', 'nuclei', 0, stem);
  return {
    name: stem,
    width,
    height,
    image: prepareInput(raster, card.normalization),
    truthRaster,
    truth: labels,
  };
}

export function loadImage(imagesDir: string, labelsDir: string, stem: string, card: ModelCard, em: boolean): BenchImage {
  const file = path.join(imagesDir, `${stem}.png`);
  return benchImage(stem, readRaster(file), readRaster(labelFileFor(file, labelsDir)), card, em);
}

/** Image ids of one DSB size group, in metadata order. */
export function groupIds(metadataCsv: string, group: string): string[] {
  const lines = readFileSync(metadataCsv, 'utf8').split('\n').slice(1);
  return lines.map((l) => l.trim().split(',')).filter((f) => f[f.length - 1] === group).map((f) => f[0]);
}

/** Fisher-Yates with the project's seeded generator. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const rng = createRng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Loads a case. `limit` keeps only the first scoring images of each group (for --quick runs).
 * The choice of images is fixed (seed 2026), independent of the run's seed, so every strategy and seed
 * sees the same images.
 */
export function loadCase(name: CaseName, fold: string, card: ModelCard, where: CaseLocations, limit?: number): CaseData {
  const keep = <T>(xs: readonly T[]): T[] => (limit === undefined ? [...xs] : xs.slice(0, limit));
  if (name === 'nuclei') {
    const root = path.join(where.dataDir, 'dsb2018-nuclei');
    const ids = shuffled(groupIds(path.join(root, 'metadata.csv'), '360x360'), 2026);
    if (ids.length < 4) throw new Error(`expected the 90 images of size group 360x360 in ${root}, found ${ids.length}`);
    const load = (id: string): BenchImage => loadImage(path.join(root, 'images'), path.join(root, 'labels_instance'), id, card, false);
    const rest = ids.slice(2);
    const half = Math.ceil(rest.length / 2);
    const groups = [...keep(rest.slice(0, half)).map((id) => ({ id, group: 'A' })), ...keep(rest.slice(half)).map((id) => ({ id, group: 'B' }))];
    return {
      name,
      fold: 'A+B',
      modelDir: path.join(where.modelsDir, 'nuclei'),
      // Plain objects (threshold 0.5, connected pieces): the benchmark measures what fine-tuning does to the
      // model, not the post-processing (README, "Objects: post-processing", has those numbers).
      score: { task: 'nuclei', labelsFormat: 'instance', membraneValue: 0, postProcessing: plainPostProcessing('foreground') },
      corrections: ids.slice(0, 2).map(load),
      scoring: groups.map(({ id, group }) => ({ image: load(id), group })),
    };
  }
  const root = path.join(where.dataDir, 'isbi2012-em');
  const load = (id: number): BenchImage => loadImage(path.join(root, 'images'), path.join(root, 'labels'), String(id), card, true);
  const score: ScoreOptions = { task: 'membranes', labelsFormat: 'binary', membraneValue: 0, postProcessing: plainPostProcessing('cells') };
  const modelDir = path.join(where.modelsDir, 'em-membranes');
  if (name === 'em1024') {
    const ids = [20, 21, 22, 23];
    const read = (dir: string): RasterImage => mosaic(ids.map((id) => readRaster(path.join(root, dir, `${id}.png`))), 2);
    const big = benchImage('mosaic-20-23', read('images'), read('labels'), card, true);
    return { name, fold: 'timing', modelDir, score, corrections: [big], scoring: [{ image: load(24), group: 'timing' }] };
  }
  if (fold !== '1' && fold !== '2') throw new Error(`EM fold must be 1 or 2, got '${fold}'`);
  const [corr, scored] = fold === '1' ? [[20, 21], [22, 23, 24]] : [[23, 24], [20, 21, 22]];
  return {
    name,
    fold,
    modelDir,
    score,
    corrections: corr.map(load),
    scoring: keep(scored).map((id) => ({ image: load(id), group: fold })),
  };
}

/** The model directory of a case (to read its card before loading the images). */
export function modelDirOf(name: CaseName, where: CaseLocations): string {
  return path.join(where.modelsDir, name === 'nuclei' ? 'nuclei' : 'em-membranes');
}
