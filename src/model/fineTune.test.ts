import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from './nodeBackend.node';
import { splitRegions } from '../image/regionSplit';
import { fineTune } from './fineTune';
import type { FineTuneProgress, ValidationPoint } from './fineTuneTypes';
import { discs, paint, sameWeights, sample, squares, swapped, testRecipe, weightValues } from './fixtures/discs';
import { segmentPlane } from './segment';
import type { Segmenter } from './types';
import { createUnet } from './unet';

const tiny = { depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 3 } as const;
/** Larger than the step of the largest tile these 64 px images need (104 px, output 64 px). */
const budget = 64 * 2 ** 20;

/** Trains a tiny net on dense truth for a few steps so that fine-tuning starts from a working model. */
async function pretrained(): Promise<Segmenter> {
  const net = createUnet(tiny);
  const d = discs(64, 1);
  await fineTune(net, [sample(d, d.truth)], { recipe: testRecipe({ steps: 60, learningRate: 1e-2, patience: 0 }), budgetBytes: budget, seed: 1 });
  return net;
}

describe('fineTune', () => {
  let start: Segmenter;
  let startWeights: Float32Array[];
  beforeAll(async () => {
    await initNodeBackend('wasm');
    start = await pretrained();
    startWeights = weightValues(start);
  });
  afterAll(async () => {
    start.dispose();
    await tf.setBackend('cpu');
  });

  /** A fresh copy of the pretrained model. */
  const copy = (): Segmenter => {
    const net = createUnet(tiny);
    net.model.setWeights(start.model.getWeights());
    return net;
  };

  it('restores the starting weights bit-exactly when training only makes the held-out labels worse', async () => {
    const before = tf.memory().numTensors;
    const net = copy();
    const d = discs(64, 2);
    const { train, validation } = splitRegions(squares(d.truth, 64), 64, 64, { fraction: 0.3 });
    const points: ValidationPoint[] = [];
    // Swapped classes: every step teaches the opposite of the held-out labels.
    const result = await fineTune(net, [sample(d, swapped(train), validation)], {
      recipe: testRecipe({ steps: 12, learningRate: 1e-2, validateEvery: 3, patience: 0 }),
      budgetBytes: budget,
      onValidation: (p) => points.push(p),
    });
    expect(result.kept).toBe('start');
    expect(result.bestStep).toBe(0);
    expect(result.after).toEqual(result.before);
    expect(result.message).toMatch(/starting model/);
    expect(points.map((p) => p.step)).toEqual([0, 3, 6, 9, 12]);
    expect(points.slice(1).every((p) => !p.best && p.loss > points[0].loss)).toBe(true);
    expect(sameWeights(weightValues(net), startWeights)).toBe(true);
    // With patience 2 the same run stops after two validations without improvement.
    const early = await fineTune(net, [sample(d, swapped(train), validation)], {
      recipe: testRecipe({ steps: 50, learningRate: 1e-2, validateEvery: 2, patience: 2 }),
      budgetBytes: budget,
    });
    expect(early).toMatchObject({ stoppedEarly: true, steps: 4, kept: 'start' });
    expect(sameWeights(weightValues(net), startWeights)).toBe(true);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps the best validated weights when training helps', async () => {
    const before = tf.memory().numTensors;
    const net = copy();
    const d = discs(64, 4);
    const { train, validation } = splitRegions(squares(d.truth, 64), 64, 64, { fraction: 0.3, seed: 2 });
    const points: ValidationPoint[] = [];
    const result = await fineTune(net, [sample(d, train, validation)], {
      recipe: testRecipe({ steps: 400, learningRate: 1e-2, validateEvery: 5, patience: 2 }),
      budgetBytes: budget,
      onValidation: (p) => points.push(p),
    });
    expect(result.kept).toBe('tuned');
    expect(result.after!.loss).toBeLessThan(result.before!.loss);
    expect(result.after!.pixelAccuracy).toBeGreaterThanOrEqual(result.before!.pixelAccuracy);
    const bestPoint = points.filter((p) => p.best).at(-1)!;
    expect(bestPoint.step).toBe(result.bestStep);
    // The kept weights score exactly as the best point did.
    const rescore = await fineTune(net, [sample(d, train, validation)], { recipe: testRecipe({ steps: 0 }), budgetBytes: budget });
    expect(rescore.before!.loss).toBeCloseTo(bestPoint.loss, 6);
    if (result.stoppedEarly) expect(points.at(-1)!.step - result.bestStep).toBe(2 * 5);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('uses the recipe loss: a large border weight w0 pulls the gap between touching objects to background', async () => {
    // Two bright bars separated by a 1-px gap that is just as bright: only the border term (w0) makes the
    // gap pixels count against the many bright foreground pixels.
    const size = 64;
    const data = new Float32Array(size * size).fill(0.2);
    const labels = new Uint8Array(size * size).fill(1);
    const gap: number[] = [];
    for (let y = 20; y < 44; y++) {
      for (let x = 16; x < 48; x++) {
        data[y * size + x] = 0.8;
        if (x === 32) {
          gap.push(y * size + x);
          continue;
        }
        labels[y * size + x] = 2;
      }
    }
    const image = { width: size, height: size, data };
    const before = tf.memory().numTensors;
    const gapProbability = async (w0: number): Promise<number> => {
      const net = createUnet(tiny);
      await fineTune(net, [{ image, labels }], {
        recipe: testRecipe({ steps: 40, learningRate: 1e-2, patience: 0 }, { w0, sigma: 2, objectClass: 2 }),
        budgetBytes: budget,
      });
      const { probabilities } = await segmentPlane(net, image);
      net.dispose();
      return gap.reduce((s, i) => s + probabilities[i], 0) / gap.length;
    };
    const withoutBorder = await gapProbability(0);
    const withBorder = await gapProbability(50);
    // Measured: ~0.98 without the border term, ~0.45 with it (60 steps).
    expect(withBorder).toBeLessThan(withoutBorder - 0.2);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops on abort with the true step count, keeps the best weights and reports every step', async () => {
    const before = tf.memory().numTensors;
    const net = copy();
    const d = discs(64, 5);
    const { train, validation } = splitRegions(squares(d.truth, 64), 64, 64, { fraction: 0.3 });
    const controller = new AbortController();
    const progress: FineTuneProgress[] = [];
    const previews: number[] = [];
    let between = 0;
    const result = await fineTune(net, [sample(d, train, validation)], {
      recipe: testRecipe({ steps: 50, validateEvery: 10 }),
      budgetBytes: budget,
      signal: controller.signal,
      previewEvery: 2,
      onPreview: async (step, s) => {
        previews.push(step);
        // The preview can run inference with the current weights.
        const { probabilities } = await segmentPlane(s, d.image);
        expect(probabilities.length).toBe(64 * 64);
      },
      betweenSteps: async () => {
        between++;
      },
      onProgress: (p) => {
        progress.push(p);
        if (p.step === 7) controller.abort();
      },
    });
    expect(result).toMatchObject({ aborted: true, steps: 7 });
    expect(progress.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(progress.every((p) => p.labelledPixels > 0 && p.etaMs >= 0 && p.steps === 50)).toBe(true);
    expect(previews).toEqual([2, 4, 6]);
    // Queued work runs before every step after the first, including the one the abort then skips.
    expect(between).toBe(7);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('restores the kept weights when a run fails midway, and stops when aborted between steps', async () => {
    const before = tf.memory().numTensors;
    const net = copy();
    const d = discs(64, 5);
    const failing = fineTune(net, [sample(d, squares(d.truth, 64))], {
      recipe: testRecipe({ steps: 20, learningRate: 1e-2 }),
      budgetBytes: budget,
      onProgress: (p) => {
        if (p.step === 3) throw new Error('display went away');
      },
    });
    await expect(failing).rejects.toThrow(/display went away/);
    expect(sameWeights(weightValues(net), startWeights)).toBe(true);
    const controller = new AbortController();
    const result = await fineTune(net, [sample(d, squares(d.truth, 64))], {
      recipe: testRecipe({ steps: 20 }),
      budgetBytes: budget,
      signal: controller.signal,
      betweenSteps: async () => controller.abort(),
    });
    expect(result).toMatchObject({ aborted: true, steps: 1 });
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains on new strokes from pollSamples in the next steps', async () => {
    const before = tf.memory().numTensors;
    const net = copy();
    const d = discs(64, 6);
    const sparse = paint(d.truth, 64, [[30, 30, 33, 33], [10, 10, 13, 13], [50, 50, 53, 53], [5, 40, 20, 42]]);
    const dense = d.truth;
    let polls = 0;
    const labelled: number[] = [];
    await fineTune(net, [sample(d, sparse)], {
      recipe: testRecipe({ steps: 8 }),
      budgetBytes: budget,
      pollSamples: () => (++polls === 4 ? [sample(d, dense)] : null),
      onProgress: (p) => labelled.push(p.labelledPixels),
    });
    expect(polls).toBe(7);
    // Steps 1-4 see a few painted pixels; from step 5 on the dense labels fill the image part of the window.
    expect(Math.max(...labelled.slice(0, 4))).toBeLessThan(60);
    expect(Math.min(...labelled.slice(4))).toBeGreaterThan(1000);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses labels that cannot support a run, with a message for the user', async () => {
    const before = tf.memory().numTensors;
    const net = copy();
    const d = discs(64, 7);
    const fgOnly = d.truth.map((l) => (l === 2 ? 2 : 0));
    await expect(fineTune(net, [sample(d, fgOnly)], { recipe: testRecipe(), budgetBytes: budget })).rejects.toThrow(/Only foreground/);
    await expect(fineTune(net, [], { recipe: testRecipe(), budgetBytes: budget })).rejects.toThrow(/No image/);
    await expect(
      fineTune(net, [sample(d, d.truth)], { recipe: testRecipe(), budgetBytes: budget, overrides: { learningRate: -1 } }),
    ).rejects.toThrow(/learningRate/);
    expect(sameWeights(weightValues(net), startWeights)).toBe(true);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
