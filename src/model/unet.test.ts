import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { UnetConfig } from './types';
import { createUnet, segmenterFromModel } from './unet';
import { parameterCount } from './memoryBudget';

const base: UnetConfig = { depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0.5, padding: 'valid', seed: 7 };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('createUnet', () => {
  it("builds the paper's architecture: 572 -> 388 at depth 4, filters doubling, dropout at the bottom", () => {
    const s = createUnet({ ...base, depth: 4, baseFilters: 1, inChannels: 3, classes: 3 });
    const y = tf.tidy(() => s.predictTile(tf.zeros([1, 572, 572, 3])).shape);
    expect(y).toEqual([1, 388, 388, 3]);
    const layer = (name: string) => s.model.getLayer(name);
    for (let k = 0; k < 4; k++) {
      expect(layer(`down${k}_conv1`).getWeights()[0].shape).toEqual([3, 3, k === 0 ? 3 : 2 ** (k - 1), 2 ** k]);
      expect(layer(`up${k}_upconv`).getWeights()[0].shape).toEqual([2, 2, 2 ** k, 2 ** (k + 1)]);
    }
    expect(layer('bottom_conv2').getWeights()[0].shape).toEqual([3, 3, 16, 16]);
    expect(layer('bottom_dropout').getClassName()).toBe('Dropout');
    expect(s.model.getLayer('logits').getWeights()[0].shape).toEqual([1, 1, 1, 3]);
    expect(s.model.countParams()).toBe(parameterCount(s.config));
    s.dispose();
  });

  it('outputs a softmax over the classes, and keeps the size in same mode', () => {
    const s = createUnet({ ...base, padding: 'same', classes: 3 });
    const sums = tf.tidy(() => {
      const p = s.predictTile(tf.randomNormal([2, 32, 48, 1]) as tf.Tensor4D);
      expect(p.shape).toEqual([2, 32, 48, 3]);
      return Array.from(p.sum(-1).dataSync());
    });
    sums.forEach((v) => expect(v).toBeCloseTo(1, 5));
    s.dispose();
  });

  it('initialises He-normal (std sqrt(2/N)), reproducibly for a seed', () => {
    const a = createUnet({ ...base, baseFilters: 16 });
    const b = createUnet({ ...base, baseFilters: 16 });
    const c = createUnet({ ...base, baseFilters: 16, seed: 8 });
    const w = (s: typeof a) => s.model.getLayer('up0_conv1').getWeights()[0]; // 3x3, 32 -> 16: N = 288
    const values = Array.from(w(a).dataSync());
    const std = Math.sqrt(values.reduce((acc, v) => acc + v * v, 0) / values.length);
    expect(std).toBeGreaterThan(Math.sqrt(2 / 288) * 0.93);
    expect(std).toBeLessThan(Math.sqrt(2 / 288) * 1.07);
    expect(Array.from(w(b).dataSync())).toEqual(values);
    expect(Array.from(w(c).dataSync())).not.toEqual(values);
    [a, b, c].forEach((s) => s.dispose());
  });

  it('is deterministic in inference (dropout off) and rejects illegal tiles clearly', () => {
    const s = createUnet(base);
    const x = tf.randomNormal([1, 60, 60, 1]) as tf.Tensor4D;
    const a = tf.tidy(() => Array.from(s.predictTile(x).dataSync()));
    const b = tf.tidy(() => Array.from(s.predictTile(x).dataSync()));
    expect(a).toEqual(b);
    tf.tidy(() => {
      expect(() => s.predictTile(tf.zeros([1, 61, 60, 1]) as tf.Tensor4D)).toThrow(/61 is not a legal input size.*try 64/);
      expect(() => s.predictTile(tf.zeros([1, 60, 60, 3]) as tf.Tensor4D)).toThrow(/expected \[n, h, w, 1\]/);
    });
    expect(s.summary()).toMatch(new RegExp(`${s.model.countParams()} parameters`));
    s.dispose();
    expect(() => s.predictTile(x)).toThrow(/disposed/);
    x.dispose();
  });

  it('wraps a model only when the config matches it', () => {
    const s = createUnet(base);
    expect(() => segmenterFromModel(s.model, { ...base, inChannels: 3 })).toThrow(/takes 1 channels/);
    expect(() => segmenterFromModel(s.model, { ...base, classes: 4 })).toThrow(/outputs 2 classes/);
    s.dispose();
  });

  it('leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const s = createUnet(base);
    tf.tidy(() => {
      s.predictTile(tf.zeros([1, 44, 44, 1]));
    });
    s.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
