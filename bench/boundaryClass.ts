/**
 * A nuclei model with a boundary class against the shipped 2-class one (issue 10 item 2: "a boundary
 * class trained with the border weights — choose by the benchmark"). Not pass/fail; prints a table.
 *
 *   npx tsx bench/boundaryClass.ts --model DIR --images DIR --labels DIR --group G --scales DIR --maps DIR
 *
 * Stage 1 (skipped for images whose maps exist): each image is segmented at the scales the shipped
 * model's `npm run segment` chose for it (its `_scale.json` in --scales: the clamped scale and, for very
 * large nuclei, the fused second one), so both models see the same pixels; the background (class 0)
 * and interior (class 1) maps are written to --maps as raw float32. Stage 2 turns them into objects
 * several ways and scores them with the code `npm run evaluate` uses (mean per image).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { numberFlag, optionalString, parseFlags, requiredString } from '../cli/args';
import { initNodeBackend } from '../cli/backend';
import { fileFilterFromFlags, filterFiles, labelFileFor, listImageFiles, readRaster, stemOf } from '../cli/dataset';
import { loadModelDir } from '../cli/modelFiles';
import { connectedComponents } from '../src/image/components';
import { truthObjects } from '../src/image/evaluation';
import { nucleiMetrics } from '../src/image/metrics';
import { prepareInput } from '../src/image/normalize';
import { atObjectScale, objectsFromProbability, type PostProcessing } from '../src/image/postProcessing';
import { mergeSmallRegions } from '../src/image/regions';
import { gaussianBlur } from '../src/image/smooth';
import { foregroundMask } from '../src/image/splitObjects';
import { watershed } from '../src/image/watershed';
import { segmentScaled } from '../src/model/objectScale';
import { segmentPlane } from '../src/model/segment';

interface Maps {
  readonly background: Float32Array;
  readonly interior: Float32Array;
  readonly scale: number;
}

/**
 * Objects from interior cores: seeds where the smoothed `seedMap` >= core, flooded (highest first) over
 * the mask of `maskMap` >= the threshold (smoothed, holes filled).
 */
function coreObjects(maskMap: Float32Array, seedMap: Float32Array, width: number, height: number, pp: PostProcessing, core: number): Uint32Array {
  const interior = pp.smoothing > 0 ? gaussianBlur(seedMap, width, height, pp.smoothing) : seedMap;
  const seedMask = new Uint8Array(interior.length);
  for (let i = 0; i < seedMask.length; i++) seedMask[i] = interior[i] >= core ? 1 : 0;
  const seeds = connectedComponents(seedMask, width, height, { connectivity: pp.connectivity }).labels;
  return floodFrom(seeds, maskMap, width, height, pp, interior);
}

/** Floods `seeds` (highest `relief` first; default the map) over the mask of `map`; unseeded pieces stay objects. */
function floodFrom(seeds: Uint32Array, map: Float32Array, width: number, height: number, pp: PostProcessing, relief?: ArrayLike<number>): Uint32Array {
  const mask = foregroundMask(map, width, height, pp);
  const high = relief ?? (pp.smoothing > 0 ? gaussianBlur(map, width, height, pp.smoothing) : map);
  const surface = new Float32Array(mask.length);
  for (let i = 0; i < surface.length; i++) surface[i] = -high[i];
  const inMask = seeds.map((v, i) => (mask[i] ? v : 0));
  const labels = watershed(surface, inMask, width, height, { mask, connectivity: pp.connectivity });
  // Foreground pieces without a seed (small or faint nuclei) stay objects of their own.
  let next = 0;
  for (const v of labels) next = Math.max(next, v);
  const left = new Uint8Array(mask.length);
  for (let i = 0; i < left.length; i++) left[i] = mask[i] && labels[i] === 0 ? 1 : 0;
  const rest = connectedComponents(left, width, height, { connectivity: pp.connectivity }).labels;
  for (let i = 0; i < labels.length; i++) if (rest[i] > 0) labels[i] = next + rest[i];
  return mergeSmallRegions(labels, width, height, pp.minSize).labels;
}

/**
 * The card's objects of the interiors alone (map >= core: touching nuclei come apart along the boundary
 * class, necks still split by the distance watershed), then grown over the map >= the threshold.
 */
function grownObjects(map: Float32Array, width: number, height: number, pp: PostProcessing, core: number): Uint32Array {
  const seeds = objectsFromProbability(map, width, height, { ...pp, threshold: core }).labels;
  return floodFrom(seeds, map, width, height, pp);
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), {
    model: { type: 'string' }, images: { type: 'string' }, labels: { type: 'string' }, scales: { type: 'string' },
    maps: { type: 'string' }, group: { type: 'string' }, list: { type: 'string' }, ids: { type: 'string' },
    metadata: { type: 'string' }, 'holdout-group': { type: 'string' }, threshold: { type: 'string' }, average: { type: 'string' },
  });
  const imagesDir = requiredString(flags, 'images');
  const labelsDir = requiredString(flags, 'labels');
  const scalesDir = requiredString(flags, 'scales');
  const mapsDir = requiredString(flags, 'maps');
  const modelDir = requiredString(flags, 'model');
  const averageDir = optionalString(flags, 'average');
  mkdirSync(mapsDir, { recursive: true });
  const files = filterFiles(listImageFiles(imagesDir, '--images'), imagesDir, fileFilterFromFlags(flags));
  await initNodeBackend('wasm');
  const { segmenter, card } = await loadModelDir(modelDir);
  if (card.architecture.classes !== 3) throw new Error(`${modelDir} is not a 3-class model`);
  const shippedPost = JSON.parse(readFileSync('public/models/nuclei/model-card.json', 'utf8')).postProcessing as PostProcessing;
  const threshold = numberFlag(flags, 'threshold', 0.5, { min: 0, max: 1 });
  const fgOf = (m: Maps): Float32Array => m.background.map((b) => 1 - b);
  // One map for the whole pipeline: interior 1, boundary 0.5, background 0.
  const oneOf = (m: Maps): Float32Array => m.background.map((b, i) => 0.5 * (1 - b + m.interior[i]));
  const cardAt = (m: Maps, t: number): PostProcessing => atObjectScale({ ...shippedPost, threshold: t }, m.scale);
  const variants: { name: string; objects: (m: Maps, w: number, h: number) => Uint32Array }[] = [
    ...[shippedPost.threshold, threshold].map((t) => ({
      name: `foreground 1 - p(background), card objects, threshold ${t}`,
      objects: (m: Maps, w: number, h: number) => objectsFromProbability(fgOf(m), w, h, cardAt(m, t)).labels,
    })),
    ...[0.2, 0.25, 0.3, 0.4].map((t) => ({
      name: `one map, card objects, threshold ${t}`,
      objects: (m: Maps, w: number, h: number) => objectsFromProbability(oneOf(m), w, h, cardAt(m, t)).labels,
    })),
    ...[0.5, 0.6, 0.7].map((core) => ({
      name: `interiors (one map >= ${core}, card objects) grown into one map >= 0.25`,
      objects: (m: Maps, w: number, h: number) => grownObjects(oneOf(m), w, h, cardAt(m, 0.25), core),
    })),
    {
      name: 'cores (one map >= 0.6, connected pieces) grown into one map >= 0.25',
      objects: (m: Maps, w: number, h: number) => coreObjects(oneOf(m), oneOf(m), w, h, cardAt(m, 0.25), 0.6),
    },
    {
      name: `interior cores >= 0.5 grown into foreground >= ${threshold}`,
      objects: (m: Maps, w: number, h: number) => coreObjects(fgOf(m), m.interior, w, h, cardAt(m, threshold), 0.5),
    },
  ];
  const sums = variants.map(() => ({ ap: 0, iou: 0, f1: 0 }));
  for (const file of files) {
    const id = stemOf(file);
    const raster = readRaster(file);
    const { width, height } = raster;
    // `segment` writes no scale file for an image it segmented at scale 1.
    const scaleFile = path.join(scalesDir, `${id}_scale.json`);
    const scaleInfo = existsSync(scaleFile) ? (JSON.parse(readFileSync(scaleFile, 'utf8')) as { scale: number; fusedScale?: number }) : { scale: 1 };
    const mapFile = (cls: number): string => path.join(mapsDir, `${id}_class${cls}.f32`);
    if (!existsSync(mapFile(0)) || !existsSync(mapFile(1))) {
      const plane = prepareInput(raster, card.normalization);
      for (const cls of [0, 1]) {
        const run = async (p: typeof plane | readonly (typeof plane)[]): Promise<Float32Array> =>
          (await segmentPlane(segmenter, p, { foregroundClass: cls })).probabilities;
        const at = (await segmentScaled(run, plane, scaleInfo.scale)).probabilities;
        if (scaleInfo.fusedScale !== undefined) {
          const coarse = (await segmentScaled(run, plane, scaleInfo.fusedScale)).probabilities;
          for (let i = 0; i < at.length; i++) at[i] = 0.5 * (at[i] + coarse[i]);
        }
        writeFileSync(mapFile(cls), Buffer.from(at.buffer, at.byteOffset, at.byteLength));
      }
    }
    const readFrom = (file: string): Float32Array => {
      const b = readFileSync(file);
      return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    };
    // --average DIR: the mean of these maps and another model's (an ensemble of two).
    const read = (cls: number): Float32Array => {
      const own = readFrom(mapFile(cls));
      if (averageDir === undefined) return own;
      const other = readFrom(path.join(averageDir, `${id}_class${cls}.f32`));
      return own.map((v, i) => 0.5 * (v + other[i]));
    };
    const maps: Maps = { background: read(0), interior: read(1), scale: scaleInfo.scale };
    const truth = truthObjects(readRaster(labelFileFor(file, labelsDir)), 'instance');
    variants.forEach((v, k) => {
      const m = nucleiMetrics(v.objects(maps, width, height), truth);
      sums[k].ap += m.ap;
      sums[k].iou += m.iou;
      sums[k].f1 += m.f1;
    });
  }
  const n = files.length;
  process.stdout.write(`${modelDir}, ${n} images (${optionalString(flags, 'group') ?? optionalString(flags, 'list') ?? 'all'}): AP@0.5 / IoU / F1, mean per image\n`);
  variants.forEach((v, k) => process.stdout.write(`  ${v.name}: ${(sums[k].ap / n).toFixed(3)} / ${(sums[k].iou / n).toFixed(3)} / ${(sums[k].f1 / n).toFixed(3)}\n`));
  segmenter.dispose();
}

await main();
