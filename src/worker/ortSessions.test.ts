import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FloatPlane } from '../image/types';
import { segmentTiles } from '../model/onnx/segmentTiles';
import { segmentPlane } from '../model/segment';
import { minTileOutput } from '../model/tiling';
import type { Segmenter } from '../model/types';
import { createUnet } from '../model/unet';
import { createOrtSessions, type OrtModule } from './ortSessions';

/*
 * onnxruntime-web (its Node build: the same WASM EP, MLAS kernels) running the worker's ONNX export must
 * give segmentPlane's probabilities on tfjs within 1e-4, and a model whose weights changed (a fine-tune:
 * new revision) must be re-exported rather than served from the old session.
 */

function plane(width: number, height: number, seed: number): FloatPlane {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data[y * width + x] = Math.sin(x * 0.23 + seed) * Math.cos(y * 0.19 - seed) + 0.3 * Math.sin(x * y * 0.013);
  }
  return { width, height, data };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

let loads = 0;
const loadOrt = async (): Promise<OrtModule> => {
  loads++;
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  return ort;
};

let unet: Segmenter;
let unet3: Segmenter;

beforeAll(async () => {
  await tf.setBackend('cpu');
  unet = createUnet({ depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 11 });
  unet3 = createUnet({ depth: 3, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 12 });
});

afterAll(() => [unet, unet3].forEach((s) => s.dispose()));

describe('onnxruntime-web sessions of the worker', () => {
  it('give the tfjs probabilities within 1e-4 (several tiles, batch 2, TTA, depth 2 and 3)', async () => {
    const sessions = createOrtSessions(loadOrt);
    const image = plane(45, 30, 1);
    for (const [segmenter, tta] of [
      [unet, false],
      [unet, true],
      [unet3, false],
    ] as const) {
      const tileOutput = minTileOutput(segmenter.config) + 2 ** segmenter.config.depth;
      const reference = await segmentPlane(segmenter, image, { tileOutput, batch: 2, tta, yieldFn: async () => undefined });
      const run = await sessions.runner('ort-wasm', `r-${segmenter.config.depth}`, segmenter);
      const ours = await segmentTiles(segmenter.config, image, run, { tileOutput, batch: 2, tta });
      expect(ours.tile.tiles).toBeGreaterThan(1);
      expect(ours.tile.tiles).toBe(reference.tile.tiles);
      expect(maxAbsDiff(ours.probabilities, reference.probabilities)).toBeLessThan(1e-4);
      // The map is not trivially constant (a broken graph could give 0.5 everywhere and still agree).
      expect(Math.max(...ours.probabilities) - Math.min(...ours.probabilities)).toBeGreaterThan(1e-3);
    }
    await sessions.releaseAll();
  });

  it('keys sessions by weights revision: new weights are re-exported, unchanged ones are not', async () => {
    const sessions = createOrtSessions(loadOrt, 2);
    const segmenter = createUnet({ depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 21 });
    try {
      const image = plane(40, 40, 2);
      const first = await segmentTiles(segmenter.config, image, await sessions.runner('ort-wasm', 'rev-a', segmenter));
      // "Fine-tune": change the weights in place. Under the old revision the old session still answers.
      const changed = segmenter.model.getWeights().map((w) => tf.tidy(() => w.mul(0.9).add(0.02)));
      segmenter.model.setWeights(changed);
      tf.dispose(changed);
      const stale = await segmentTiles(segmenter.config, image, await sessions.runner('ort-wasm', 'rev-a', segmenter));
      expect(maxAbsDiff(stale.probabilities, first.probabilities)).toBe(0);
      expect(sessions.keys()).toEqual(['ort-wasm:rev-a']);
      const tuned = await segmentTiles(segmenter.config, image, await sessions.runner('ort-wasm', 'rev-b', segmenter));
      const reference = await segmentPlane(segmenter, image, { yieldFn: async () => undefined });
      expect(maxAbsDiff(tuned.probabilities, reference.probabilities)).toBeLessThan(1e-4);
      expect(maxAbsDiff(tuned.probabilities, first.probabilities)).toBeGreaterThan(1e-3);
      // A third revision evicts the least recently used session (rev-a), keeping two.
      await sessions.runner('ort-wasm', 'rev-c', segmenter);
      expect(sessions.keys()).toEqual(['ort-wasm:rev-b', 'ort-wasm:rev-c']);
    } finally {
      segmenter.dispose();
      await sessions.releaseAll();
    }
    expect(sessions.keys()).toEqual([]);
  });

  it('does not cache a session that failed to start, and leaves no tfjs tensors behind', async () => {
    const before = tf.memory().numTensors;
    const failing = createOrtSessions(async () => {
      throw new Error('no wasm here');
    });
    await expect(failing.runner('ort-wasm', 'r', unet)).rejects.toThrow('no wasm here');
    expect(failing.keys()).toEqual([]);
    const sessions = createOrtSessions(loadOrt);
    await segmentTiles(unet.config, plane(30, 30, 3), await sessions.runner('ort-wasm', 'r', unet));
    await sessions.releaseAll();
    expect(tf.memory().numTensors).toBe(before);
    expect(loads).toBeGreaterThan(0);
  });
});
