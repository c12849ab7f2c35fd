/**
 * A real-data fine-tune: the shipped nuclei model on crops of two images of the 360x360 size group,
 * which it never saw in training (--holdout-group 360x360). Corrections are squares painted from the
 * ground truth, split by region into training and held-out labels exactly as the app does; the run uses
 * the card's recipe with fewer steps and a small tile to stay quick. The error on the held-out
 * corrections must not rise. Skipped where ../shared/data is absent.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareInput } from '../src/image/normalize';
import { splitRegions } from '../src/image/regionSplit';
import type { FloatPlane } from '../src/image/types';
import { fineTune, resolveRecipe } from '../src/model/fineTune';
import type { FineTuneSample } from '../src/model/fineTuneTypes';
import { sameWeights, weightValues } from '../src/model/fixtures/discs';
import { createRng } from '../src/model/random';
import { initNodeBackend } from './backend';
import { labelFileFor, labelsFromRaster, readGroups, readRaster } from './dataset';
import { loadModelDir } from './modelFiles';

const root = path.resolve(__dirname, '..');
const data = path.resolve(root, '../shared/data/dsb2018-nuclei');
const CROP = 160;

function crop<T extends Float32Array | Uint8Array>(src: T, width: number, x0: number, y0: number, make: (n: number) => T): T {
  const out = make(CROP * CROP);
  for (let y = 0; y < CROP; y++) out.set(src.subarray((y0 + y) * width + x0, (y0 + y) * width + x0 + CROP), y * CROP);
  return out;
}

/** A crop of a held-out-group image with squares of ground truth painted on it, split by region. */
function correctedCrop(id: string, seed: number): FineTuneSample {
  const imageFile = path.join(data, 'images', `${id}.png`);
  const raster = readRaster(imageFile);
  const plane = prepareInput(raster, { mode: 'percentile', low: 1, high: 99.8 });
  const { labels } = labelsFromRaster(readRaster(labelFileFor(imageFile, path.join(data, 'labels_instance'))), 'instance', 'nuclei', 0, id, 2);
  const x0 = (raster.width - CROP) >> 1;
  const y0 = (raster.height - CROP) >> 1;
  const image: FloatPlane = { width: CROP, height: CROP, data: crop(plane.data, raster.width, x0, y0, (n) => new Float32Array(n)) };
  const truth = crop(labels, raster.width, x0, y0, (n) => new Uint8Array(n));
  // Six 24 px squares of truth (~13% of the crop), as a user correcting the model would paint.
  const rng = createRng(seed);
  const painted = new Uint8Array(CROP * CROP);
  for (let k = 0; k < 6; k++) {
    const sx = rng.int(CROP - 24);
    const sy = rng.int(CROP - 24);
    for (let y = sy; y < sy + 24; y++) for (let x = sx; x < sx + 24; x++) painted[y * CROP + x] = truth[y * CROP + x];
  }
  const split = splitRegions(painted, CROP, CROP, { fraction: 0.2, seed });
  return { image, labels: split.train, validation: split.validation, name: id };
}

describe.skipIf(!existsSync(data))('fine-tuning on real data', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('does not raise the error on the held-out corrections (nuclei model, unseen 360x360 group)', async () => {
    const before = tf.memory().numTensors;
    const { segmenter, card } = await loadModelDir(path.join(root, 'public/models/nuclei'));
    const start = weightValues(segmenter);
    const groups = readGroups(path.join(data, 'metadata.csv'));
    const ids = [...groups].filter(([, g]) => g === '360x360').map(([id]) => id).slice(0, 2);
    const samples = ids.map((id, k) => correctedCrop(id, k + 1));
    const labelled: number[] = [];
    const result = await fineTune(segmenter, samples, {
      recipe: resolveRecipe(card),
      overrides: { steps: 16, validateEvery: 4, patience: 0 },
      budgetBytes: 2 ** 30,
      maxTileSize: 188,
      seed: 1,
      onProgress: (p) => labelled.push(p.labelledPixels),
    });
    expect(result.steps).toBe(16);
    expect(result.tileSize).toBe(188);
    expect(labelled.every((n) => n > 0)).toBe(true);
    const { before: start0, after } = result;
    expect(start0).not.toBeNull();
    expect(after!.loss).toBeLessThanOrEqual(start0!.loss);
    expect(1 - after!.pixelAccuracy).toBeLessThanOrEqual(1 - start0!.pixelAccuracy);
    if (result.kept === 'start') expect(sameWeights(weightValues(segmenter), start)).toBe(true);
    segmenter.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);
});
