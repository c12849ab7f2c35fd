import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discs, paint } from './fixtures/discs';
import { segmentPlane } from './segment';
import type { Segmenter } from './types';
import { createUnet } from './unet';
import { isBetter, planValidation, scoreValidation } from './validation';

let net: Segmenter;
beforeAll(async () => {
  await tf.setBackend('cpu');
  net = createUnet({ depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 6 });
});
afterAll(() => net.dispose());

describe('validation on held-out labels', () => {
  it('scores held-out pixels exactly as whole-image inference would, running only the tiles that hold them', async () => {
    const before = tf.memory().numTensors;
    const size = 300;
    const d = discs(size, 8, 40);
    // Two held-out patches in opposite corners of a large image.
    const held = paint(d.truth, size, [[4, 4, 30, 30], [260, 250, 290, 280]]);
    const plan = planValidation(net.config, [{ image: d.image, validation: held }], 2 ** 28)!;
    const score = await scoreValidation(net, plan);

    // Independent path: segmentPlane over the whole image, then the scores over the held-out pixels.
    const { probabilities } = await segmentPlane(net, d.image);
    let loss = 0;
    let correct = 0;
    let inter = 0;
    let union = 0;
    let n = 0;
    for (let i = 0; i < held.length; i++) {
      if (held[i] === 0) continue;
      n++;
      const p = probabilities[i];
      const fg = held[i] === 2;
      loss -= Math.log(Math.max(fg ? p : 1 - p, 1e-7));
      const predFg = p > 0.5;
      if (predFg === fg) correct++;
      if (fg && predFg) inter++;
      if (fg || predFg) union++;
    }
    expect(score.pixels).toBe(n);
    expect(score.loss).toBeCloseTo(loss / n, 4);
    expect(score.pixelAccuracy).toBeCloseTo(correct / n, 6);
    expect(score.foregroundIou).toBeCloseTo(union === 0 ? 1 : inter / union, 6);
    // Far less than one pass over the mirrored image (300 + 2 x 20 margin on each axis).
    expect(plan.inputPixels).toBeLessThan(0.5 * 340 * 340);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('scores a boundary-class model on its foreground classes together: interior + boundary against background', async () => {
    const three = createUnet({ depth: 2, baseFilters: 4, inChannels: 1, classes: 3, dropout: 0, padding: 'valid', seed: 4 });
    const before = tf.memory().numTensors;
    const size = 96;
    const d = discs(size, 5);
    const held = paint(d.truth, size, [[0, 0, 96, 40]]);
    const score = await scoreValidation(three, planValidation(three.config, [{ image: d.image, validation: held }], 2 ** 28, [1, 2])!);
    // Independent path: the whole image's p1 + p2 (classWeights [0, 1, 1]).
    const { probabilities } = await segmentPlane(three, d.image, { classWeights: [0, 1, 1] });
    let loss = 0;
    let correct = 0;
    let n = 0;
    for (let i = 0; i < held.length; i++) {
      if (held[i] === 0) continue;
      n++;
      const fg = held[i] === 2;
      loss -= Math.log(Math.max(fg ? probabilities[i] : 1 - probabilities[i], 1e-7));
      if (probabilities[i] > 0.5 === fg) correct++;
    }
    expect(score.pixels).toBe(n);
    expect(score.loss).toBeCloseTo(loss / n, 4);
    expect(score.pixelAccuracy).toBeCloseTo(correct / n, 6);
    expect(tf.memory().numTensors).toBe(before);
    three.dispose();
  });

  it('has nothing to plan without held-out pixels', () => {
    const d = discs(64, 1);
    expect(planValidation(net.config, [{ image: d.image }, { image: d.image, validation: new Uint8Array(64 * 64) }], 2 ** 28)).toBeNull();
  });

  it('calls a score better only with lower loss and no lower accuracy', () => {
    const s = { loss: 0.5, pixelAccuracy: 0.9, foregroundIou: 0.8, pixels: 100 };
    expect(isBetter({ ...s, loss: 0.4 }, s)).toBe(true);
    expect(isBetter({ ...s, loss: 0.4, pixelAccuracy: 0.89 }, s)).toBe(false);
    expect(isBetter({ ...s, pixelAccuracy: 0.95 }, s)).toBe(false);
    expect(isBetter(s, s)).toBe(false);
  });
});
