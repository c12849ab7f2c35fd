import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetFromLimits, chooseTile, estimateForwardBytes, forwardTrace, parameterCount } from './memoryBudget';
import { planShape } from './tiling';
import { ttaPredict } from './tta';
import type { Segmenter, UnetConfig } from './types';
import { createUnet } from './unet';
import { legalInputSizes, sizeStep, tileOutputSize } from './validSize';

const config = (depth: number, baseFilters: number, padding: 'valid' | 'same' = 'valid'): UnetConfig => ({
  depth,
  baseFilters,
  inChannels: 1,
  classes: 2,
  dropout: 0.5,
  padding,
  seed: 5,
});

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Bytes of live tensors that are neither this model's weights nor the input. */
function unrelatedBytes(s: Segmenter, x: tf.Tensor): number {
  const own = s.model.countParams() * 4 + x.size * 4;
  return tf.memory().numBytes - own;
}

describe('forward-pass memory estimate', () => {
  const models: Segmenter[] = [];
  afterAll(() => models.forEach((m) => m.dispose()));

  for (const padding of ['valid', 'same'] as const) {
    it(`traces the same layers and shapes as the built model (${padding})`, () => {
      const c = config(3, 2, padding);
      const s = createUnet(c);
      models.push(s);
      const n = legalInputSizes(c, 140, 100)[0];
      const m = legalInputSizes(c, 200, 150)[0];
      const layers = s.model.layers.filter((l) => l.name !== 'image');
      const probe = tf.model({ inputs: s.model.inputs, outputs: layers.map((l) => l.output as tf.SymbolicTensor) });
      const shapes = tf.tidy(() => (probe.predict(tf.zeros([1, n, m, 1])) as tf.Tensor[]).map((t) => t.shape));
      const traced = new Map(forwardTrace(c, n, m).map((t) => [t.name, [1, t.height, t.width, t.channels]]));
      expect([...traced.keys()].sort()).toEqual(['image', ...layers.map((l) => l.name)].sort());
      layers.forEach((l, i) => expect(traced.get(l.name)).toEqual(shapes[i]));
      expect(parameterCount(c)).toBe(s.model.countParams());
    });
  }

  it('is within 25% of the peak bytes tfjs allocates, at 3 tile sizes', async () => {
    const c = config(3, 4);
    const s = createUnet(c);
    models.push(s);
    for (const [n, batch] of [
      [92, 1],
      [148, 2],
      [220, 1],
    ] as const) {
      const x = tf.randomNormal([batch, n, n, 1]) as tf.Tensor4D;
      const unrelated = unrelatedBytes(s, x);
      // peakBytes is the engine's highest numBytes during the call: all live tensors, including the
      // weights of the other models of this file, which are not part of this forward pass.
      const profile = await tf.profile(() => {
        s.predictTile(x).dispose();
      });
      x.dispose();
      const estimate = estimateForwardBytes(c, n, n, batch).peakBytes;
      const ratio = estimate / (profile.peakBytes - unrelated);
      expect(ratio).toBeGreaterThan(0.75);
      expect(ratio).toBeLessThan(1.25);
    }
  });

  it('is within 25% for test-time augmentation too', async () => {
    const c = config(2, 4);
    const s = createUnet(c);
    models.push(s);
    const x = tf.randomNormal([1, 100, 100, 1]) as tf.Tensor4D;
    const unrelated = unrelatedBytes(s, x);
    const profile = await tf.profile(() => {
      ttaPredict((t) => s.predictTile(t), x).dispose();
    });
    x.dispose();
    const ratio = estimateForwardBytes(c, 100, 100, 1, true).peakBytes / (profile.peakBytes - unrelated);
    expect(ratio).toBeGreaterThan(0.75);
    expect(ratio).toBeLessThan(1.25);
    expect(estimateForwardBytes(c, 100, 100, 1, true).peakBytes).toBeGreaterThan(estimateForwardBytes(c, 100, 100).peakBytes);
  });

  it('keeps skip features alive: the estimate grows faster than the largest layer', () => {
    const c = config(4, 8);
    const e = estimateForwardBytes(c, 572, 572);
    expect(e.activationBytes).toBeGreaterThan(2 * e.largestTensorBytes);
    expect(e.largestTensorBytes).toBe(570 * 570 * 8 * 4); // first conv output, float32
    expect(estimateForwardBytes(c, 572, 572, 3).activationBytes).toBe(3 * e.activationBytes);
  });
});

describe('tile chooser', () => {
  function rng(seed: number): () => number {
    let a = seed;
    return () => ((a = (a * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  }

  it('never picks a tile whose estimate exceeds the budget, and picks the largest that fits', () => {
    const r = rng(42);
    let chosen = 0;
    for (let i = 0; i < 120; i++) {
      const c = config(1 + Math.floor(r() * 4), 2 ** Math.floor(r() * 5), r() < 0.8 ? 'valid' : 'same');
      const imageSize = { height: 1 + Math.floor(r() * 2000), width: 1 + Math.floor(r() * 2000) };
      const budgetBytes = 2 ** (19 + r() * 12);
      const maxBindingBytes = r() < 0.5 ? Infinity : 2 ** (17 + r() * 10);
      let choice;
      try {
        choice = chooseTile({ config: c, budgetBytes, maxBindingBytes, imageSize });
      } catch (e) {
        expect(String(e)).toMatch(/no tile fits/);
        continue;
      }
      chosen++;
      const e = estimateForwardBytes(c, choice.inputHeight, choice.inputWidth, choice.batch);
      expect(e.peakBytes).toBeLessThanOrEqual(budgetBytes);
      expect(e.largestTensorBytes).toBeLessThanOrEqual(maxBindingBytes);
      expect(choice.estimate.peakBytes).toBe(e.peakBytes);
      expect(choice.batch).toBeLessThanOrEqual(Math.min(8, choice.tiles));
      // Maximality: one legal step larger (if it changes the plan) would not fit.
      const bigger = planShape(c, imageSize.height, imageSize.width, choice.tileOutput + sizeStep(c));
      if (bigger.inputHeight !== choice.inputHeight || bigger.inputWidth !== choice.inputWidth) {
        const b = estimateForwardBytes(c, bigger.inputHeight, bigger.inputWidth, 1);
        expect(b.peakBytes > budgetBytes || b.largestTensorBytes > maxBindingBytes).toBe(true);
      }
    }
    expect(chosen).toBeGreaterThan(60);
  });

  it('uses one tile for a small image when the budget allows, and batches when tiles are small', () => {
    const c = config(4, 8);
    const one = chooseTile({ config: c, budgetBytes: 2 ** 30, imageSize: { height: 64, width: 64 } });
    expect(one.tiles).toBe(1);
    expect(tileOutputSize(c, one.inputHeight)).toBeGreaterThanOrEqual(64);
    const many = chooseTile({ config: c, budgetBytes: 2 ** 30, imageSize: { height: 4000, width: 4000 }, maxInputSize: 188 + 32 });
    expect(many.batch).toBeGreaterThan(1);
  });

  it('explains when nothing fits', () => {
    expect(() => chooseTile({ config: config(4, 64), budgetBytes: 1e6, imageSize: { height: 512, width: 512 } })).toThrow(
      /no tile fits the memory budget of 1\.0 MiB/,
    );
  });
});

describe('budget from device limits', () => {
  it('lets a user override win and keeps the binding limit', () => {
    const b = budgetFromLimits({ overrideBytes: 123_456_789, maxStorageBufferBindingSize: 2 ** 27, deviceMemoryGiB: 8 });
    expect(b.budgetBytes).toBe(123_456_789);
    expect(b.maxBindingBytes).toBe(2 ** 27);
    expect(b.source).toMatch(/override/);
    expect(() => budgetFromLimits({ overrideBytes: 0 })).toThrow(/positive/);
  });

  it('scales with device memory within clamps, tighter for wasm/cpu', () => {
    expect(budgetFromLimits({ deviceMemoryGiB: 8 }).budgetBytes).toBe(2 * 2 ** 30);
    expect(budgetFromLimits({ deviceMemoryGiB: 0.5 }).budgetBytes).toBe(256 * 2 ** 20);
    expect(budgetFromLimits({}).budgetBytes).toBe(2 ** 30);
    expect(budgetFromLimits({ deviceMemoryGiB: 8, backend: 'wasm' }).budgetBytes).toBe(2 ** 30);
    expect(budgetFromLimits({ maxStorageBufferBindingSize: 2 ** 30, maxBufferSize: 2 ** 28 }).maxBindingBytes).toBe(2 ** 28);
    expect(budgetFromLimits({}).maxBindingBytes).toBe(128 * 2 ** 20);
  });
});
