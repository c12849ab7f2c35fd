import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from './nodeBackend.node';
import { distillationLoss, distillationMask } from './distillation';
import { fineTune } from './fineTune';
import { discs, paint, sample, testRecipe } from './fixtures/discs';
import { segmentPlane } from './segment';
import { createUnet } from './unet';

describe('distillationLoss', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is the mean KL divergence from the teacher over the masked pixels', () => {
    const before = tf.memory().numTensors;
    // Two pixels: student logits (0, 0) and (0, ln 3), i.e. p1 = 0.5 and 0.75.
    const logits = tf.tensor4d([0, 0, 0, Math.log(3), 5, -5], [1, 1, 3, 2]);
    const teacher = tf.tensor3d([0.9, 0.75, 0.1], [1, 1, 3]);
    const kl = (q: number, p: number): number => q * Math.log(q / p) + (1 - q) * Math.log((1 - q) / (1 - p));
    const masked = tf.tensor3d([1, 1, 0], [1, 1, 3]);
    // The third pixel is masked out; the second matches its teacher exactly (KL 0).
    const value = (mask: tf.Tensor3D): number => tf.tidy(() => distillationLoss(logits, teacher, mask).dataSync()[0]);
    expect(value(masked)).toBeCloseTo((kl(0.9, 0.5) + 0) / 2, 5);
    const none = tf.zeros([1, 1, 3]) as tf.Tensor3D;
    expect(value(none)).toBe(0);
    tf.dispose([logits, teacher, masked, none]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('covers unlabelled pixels inside the image only', () => {
    const mask = distillationMask(Uint8Array.of(0, 1, 2, 0), Float32Array.of(0.3, 0.3, 0.3, -1));
    expect(Array.from(mask)).toEqual([1, 0, 0, 0]);
    // Two teacher values per pixel (a 3-class model): the first says whether the pixel is inside.
    const two = distillationMask(Uint8Array.of(0, 0, 1), Float32Array.of(0.3, 0.1, -1, -1, 0.2, 0.2));
    expect(Array.from(two)).toEqual([1, 0, 0]);
  });

  it("for a 3-class model is the KL divergence from the teacher's whole distribution, boundary included", () => {
    const before = tf.memory().numTensors;
    // Student p = (1/6, 2/6, 3/6); teacher interior 0.2, boundary 0.3, so q = (0.5, 0.2, 0.3).
    const logits = tf.tensor4d([0, Math.log(2), Math.log(3)], [1, 1, 1, 3]);
    const teacher = tf.tensor4d([0.2, 0.3], [1, 1, 1, 2]);
    const mask = tf.ones([1, 1, 1]) as tf.Tensor3D;
    const q = [0.5, 0.2, 0.3];
    const p = [1 / 6, 2 / 6, 3 / 6];
    const kl = q.reduce((s, qc, c) => s + qc * Math.log(qc / p[c]), 0);
    expect(tf.tidy(() => distillationLoss(logits, teacher, mask).dataSync()[0])).toBeCloseTo(kl, 5);
    // The student's own foreground (5/6) split the other way round: a binary term would see nothing.
    const swappedSplit = tf.tensor4d([3 / 6, 2 / 6], [1, 1, 1, 2]);
    expect(tf.tidy(() => distillationLoss(logits, swappedSplit, mask).dataSync()[0])).toBeCloseTo(0.5 * Math.log(1.5) + (1 / 3) * Math.log(2 / 3), 5);
    const onePerPixel = tf.tensor3d([0.5], [1, 1, 1]);
    expect(() => distillationLoss(logits, onePerPixel, mask)).toThrow(/needs 2/);
    tf.dispose([logits, teacher, mask, swappedSplit, onePerPixel]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('distillation in fineTune', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('keeps unlabelled pixels closer to the starting predictions', async () => {
    const before = tf.memory().numTensors;
    const config = { depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 9 } as const;
    const d = discs(64, 3);
    const startNet = createUnet(config);
    // A roughly working start, then corrections painted in one corner only.
    await fineTune(startNet, [sample(d, d.truth)], { recipe: testRecipe({ steps: 40, learningRate: 1e-2, patience: 0 }), budgetBytes: 2 ** 26 });
    const { probabilities: p0 } = await segmentPlane(startNet, d.image);
    const corner = paint(d.truth, 64, [[0, 0, 16, 16]]);
    const drift = async (distillation: number): Promise<number> => {
      const net = createUnet(config);
      net.model.setWeights(startNet.model.getWeights());
      await fineTune(net, [sample(d, corner.map((l) => (l === 0 ? 0 : 3 - l)))], {
        recipe: testRecipe({ steps: 20, learningRate: 3e-3, patience: 0, distillation }),
        budgetBytes: 2 ** 26,
      });
      const { probabilities } = await segmentPlane(net, d.image);
      net.dispose();
      let sum = 0;
      let n = 0;
      for (let i = 0; i < p0.length; i++) {
        if (corner[i] === 0) {
          sum += Math.abs(probabilities[i] - p0[i]);
          n++;
        }
      }
      return sum / n;
    };
    // The corrections contradict the model (classes swapped), so without distillation they spread
    // (measured: mean |change| 0.66 without, 0.36 with weight 3, 0.03 with weight 30).
    const free = await drift(0);
    const held = await drift(10);
    expect(held).toBeLessThan(0.5 * free);
    startNet.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
