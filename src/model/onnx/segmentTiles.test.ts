import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FloatPlane } from '../../image/types';
import { segmentPlane } from '../segment';
import { minTileOutput } from '../tiling';
import type { Segmenter } from '../types';
import { createUnet } from '../unet';
import { segmentTiles } from './segmentTiles';
import type { TileRunner } from './segmentTiles';

/*
 * segmentTiles is segmentPlane for runtimes without tfjs tensors. With a runner that calls the same
 * tfjs network, the two must give the same map: same plan, same mirrored windows, same TTA.
 */

function plane(width: number, height: number, seed: number): FloatPlane {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data[y * width + x] = Math.sin(x * 0.31 + seed) * Math.cos(y * 0.17 - seed) + 0.2 * Math.sin(x * y * 0.01);
  }
  return { width, height, data };
}

function tfjsRunner(segmenter: Segmenter, calls: number[][]): TileRunner {
  return async (x) => {
    calls.push([...x.dims]);
    return tf.tidy(() => {
      const y = segmenter.predictTile(tf.tensor4d(x.data, [...x.dims]));
      const [n, h, w, c] = y.shape;
      return { data: y.dataSync() as Float32Array, dims: [n, h, w, c] as const };
    });
  };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

let valid: Segmenter;
let same: Segmenter;
let rgb: Segmenter;

beforeAll(async () => {
  await tf.setBackend('cpu');
  valid = createUnet({ depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 1 });
  same = createUnet({ depth: 2, baseFilters: 4, inChannels: 1, classes: 3, dropout: 0, padding: 'same', seed: 2 });
  rgb = createUnet({ depth: 2, baseFilters: 3, inChannels: 3, classes: 2, dropout: 0, padding: 'valid', seed: 3 });
});

afterAll(() => [valid, same, rgb].forEach((s) => s.dispose()));

describe('segmentTiles', () => {
  it('weighs the classes into one map like segmentPlane, equal to the weighted sum of the class maps', async () => {
    const image = plane(61, 47, 4);
    const weights = [0, 1, 0.5];
    const perClass = await Promise.all([0, 1, 2].map(async (c) => (await segmentPlane(same, image, { foregroundClass: c })).probabilities));
    const expected = perClass[1].map((p1, i) => p1 + 0.5 * perClass[2][i]);
    const viaPlane = (await segmentPlane(same, image, { classWeights: weights })).probabilities;
    const viaTiles = (await segmentTiles(same.config, image, tfjsRunner(same, []), { classWeights: weights })).probabilities;
    expect(maxAbsDiff(viaPlane, expected)).toBeLessThan(1e-6);
    expect(maxAbsDiff(viaTiles, expected)).toBeLessThan(1e-6);
    // Not simply one class: the boundary class moves it.
    expect(maxAbsDiff(viaPlane, perClass[1])).toBeGreaterThan(0.01);
    await expect(segmentPlane(same, image, { classWeights: [0, 1] })).rejects.toThrow(/classWeights must be an array of 3 numbers/);
    await expect(segmentTiles(same.config, image, tfjsRunner(same, []), { classWeights: [0, 0, 0] })).rejects.toThrow(/at least one class/);
  });

  it.each([
    ['valid, several tiles, batch 2', () => valid, 1, false, 2],
    ['valid, TTA', () => valid, 1, true, 1],
    ['same, class 2 of 3', () => same, 2, false, 3],
    ['same, TTA', () => same, 0, true, 2],
  ] as const)('%s: equals segmentPlane', async (_, get, fg, tta, batch) => {
    const s = get();
    const image = plane(30, 20, 1);
    const tileOutput = minTileOutput(s.config) + 8;
    const before = tf.memory().numTensors;
    const ref = await segmentPlane(s, image, { tileOutput, batch, tta, foregroundClass: fg, yieldFn: async () => undefined });
    const calls: number[][] = [];
    const ours = await segmentTiles(s.config, image, tfjsRunner(s, calls), { tileOutput, batch, tta, foregroundClass: fg });
    expect(tf.memory().numTensors).toBe(before);
    expect(ours.tile.tiles).toBe(ref.tile.tiles);
    expect(ours.tile.tiles).toBe(6);
    expect(calls.length).toBe(Math.ceil(ours.tile.tiles / batch) * (tta ? 8 : 1));
    expect([ours.width, ours.height]).toEqual([30, 20]);
    expect(maxAbsDiff(ours.probabilities, ref.probabilities)).toBeLessThanOrEqual(1e-6);
  });

  it('takes one plane per input channel', async () => {
    const planes = [plane(20, 30, 1), plane(20, 30, 2), plane(20, 30, 3)];
    const ref = await segmentPlane(rgb, planes, { yieldFn: async () => undefined });
    const ours = await segmentTiles(rgb.config, planes, tfjsRunner(rgb, []));
    expect(ours.tile).toMatchObject({ inputHeight: ref.tile.inputHeight, inputWidth: ref.tile.inputWidth, batch: ref.tile.batch });
    expect(maxAbsDiff(ours.probabilities, ref.probabilities)).toBeLessThanOrEqual(1e-6);
    await expect(segmentTiles(rgb.config, planes[0], tfjsRunner(rgb, []))).rejects.toThrow(/takes 3 channel\(s\) but 1/);
  });

  it('rejects a runner whose output does not fit the plan, and a bad class', async () => {
    const wrong: TileRunner = async (x) => ({ data: new Float32Array(x.data.length * 2), dims: [x.dims[0], x.dims[1], x.dims[2], 2] });
    await expect(segmentTiles(valid.config, plane(30, 30, 1), wrong)).rejects.toThrow(/runner returned \[1, \d+, \d+, 2\], expected/);
    await expect(segmentTiles(valid.config, plane(30, 30, 1), wrong, { foregroundClass: 2 })).rejects.toThrow(/foregroundClass 2/);
  });

  it('stops between batches when aborted', async () => {
    const controller = new AbortController();
    const runner = tfjsRunner(valid, []);
    const run: TileRunner = async (x) => {
      controller.abort();
      return runner(x);
    };
    const tileOutput = minTileOutput(valid.config);
    await expect(segmentTiles(valid.config, plane(30, 30, 1), run, { tileOutput, signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});
