/**
 * Fine-tuning a boundary-class model (background, interior, boundary) on painted foreground / background
 * labels: the painted foreground may be either non-background class, and distillation holds the interior /
 * boundary split of the starting model, so corrections teach the foreground without erasing the boundaries
 * that split touching nuclei.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedComponents } from '../image/components';
import { binaryMetrics } from '../image/metrics';
import { splitRegions } from '../image/regionSplit';
import { fineTune } from './fineTune';
import { sample, squares, testRecipe } from './fixtures/discs';
import type { DiscImage } from './fixtures/discs';
import { initNodeBackend } from './nodeBackend.node';
import { createRng } from './random';
import { segmentPlane } from './segment';
import { trainSegmenter } from './train';
import type { Segmenter } from './types';
import { createUnet } from './unet';

const config = { depth: 2, baseFilters: 8, inChannels: 1, classes: 3, dropout: 0, padding: 'valid', seed: 2 } as const;
const budget = 64 * 2 ** 20;

/** Discs of brightness `level` on a dim, noisy background, with dense truth (1 background, 2 foreground). */
function blobs(size: number, seed: number, level: number): DiscImage {
  const rng = createRng(seed);
  const data = new Float32Array(size * size);
  const truth = new Uint8Array(size * size).fill(1);
  for (let i = 0; i < data.length; i++) data[i] = 0.2 + 0.08 * rng.normal();
  for (let k = 0; k < 7; k++) {
    const cx = rng.uniform(8, size - 8);
    const cy = rng.uniform(8, size - 8);
    const r = rng.uniform(4, 8);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) {
          data[y * size + x] = level + 0.08 * rng.normal();
          truth[y * size + x] = 2;
        }
      }
    }
  }
  return { image: { width: size, height: size, data }, truth };
}

/** Mean boundary probability on the objects' one-pixel rim and deep inside them. */
async function boundaryContrast(net: Segmenter, d: DiscImage): Promise<{ rim: number; inside: number }> {
  const boundary = (await segmentPlane(net, d.image, { foregroundClass: 2 })).probabilities;
  const w = d.image.width;
  let rim = 0;
  let rimCount = 0;
  let inside = 0;
  let insideCount = 0;
  for (let i = 2 * w; i < d.truth.length - 2 * w; i++) {
    if (d.truth[i] !== 2) continue;
    if ([i - 1, i + 1, i - w, i + w].some((j) => d.truth[j] !== 2)) {
      rim += boundary[i];
      rimCount++;
    } else if ([i - 2, i + 2, i - 2 * w, i + 2 * w].every((j) => d.truth[j] === 2)) {
      inside += boundary[i];
      insideCount++;
    }
  }
  return { rim: rim / rimCount, inside: inside / insideCount };
}

/** Foreground IoU of p1 + p2 > 0.5 against the truth. */
async function foregroundIou(net: Segmenter, d: DiscImage): Promise<number> {
  const { probabilities } = await segmentPlane(net, d.image, { classWeights: [0, 1, 1] });
  return binaryMetrics(
    probabilities.map((p) => (p > 0.5 ? 1 : 0)),
    d.truth.map((l) => (l === 2 ? 1 : 0)),
  ).iou;
}

describe('fine-tuning a boundary-class model', () => {
  let start: Segmenter;
  beforeAll(async () => {
    await initNodeBackend('wasm');
    start = createUnet(config);
    // A working start on bright objects; the fine-tune images have dim ones it half misses.
    const train = [1, 2, 3, 4].map((seed) => {
      const d = blobs(96, seed, 0.8);
      const instances = connectedComponents(d.truth.map((l) => (l === 2 ? 1 : 0)), 96, 96, { connectivity: 4 }).labels;
      return { image: d.image, labels: d.truth, instances, name: `blobs-${seed}` };
    });
    await trainSegmenter(start, train, {
      steps: 200,
      learningRate: 3e-3,
      tileSize: 92,
      seed: 3,
      augment: { rotate90: true, flip: true },
      weights: { balanceClasses: false },
      boundaryClass: true,
    });
  }, 120_000);
  afterAll(async () => {
    start.dispose();
    await tf.setBackend('cpu');
  });

  it('learns painted corrections as foreground and keeps the boundary class', async () => {
    const before = tf.memory().numTensors;
    const net = createUnet(config);
    net.model.setWeights(start.model.getWeights());
    const dim = [5, 6].map((seed) => blobs(96, seed, 0.42));
    const test = blobs(96, 7, 0.42);
    const startIou = await foregroundIou(net, test);
    const startBoundary = await boundaryContrast(start, blobs(96, 8, 0.8));
    const samples = dim.map((d) => {
      const { train, validation } = splitRegions(squares(d.truth, 96, 10, 14), 96, 96, { fraction: 0.2, seed: 1 });
      return sample(d, train, validation);
    });
    const result = await fineTune(net, samples, {
      recipe: testRecipe({ steps: 40, learningRate: 3e-3, validateEvery: 10, patience: 0, distillation: 1 }),
      foregroundClasses: [1, 2],
      budgetBytes: budget,
      seed: 2,
    });
    expect(result.kept).toBe('tuned');
    // The dim objects of an unseen image: found far better than before.
    const tunedIou = await foregroundIou(net, test);
    expect(tunedIou).toBeGreaterThan(startIou + 0.1);
    // The bright objects keep their rim of boundary: the split between interior and boundary survives.
    // (Painting the foreground as interior alone, foregroundClasses [1], halves the rim here: 0.44 -> 0.21.)
    const tunedBoundary = await boundaryContrast(net, blobs(96, 8, 0.8));
    expect(tunedBoundary.rim).toBeGreaterThan(0.7 * startBoundary.rim);
    expect(tunedBoundary.rim).toBeGreaterThan(2 * tunedBoundary.inside);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a many-class model whose card does not say which classes are foreground, with a message', async () => {
    const before = tf.memory().numTensors;
    const net = createUnet(config);
    const d = blobs(64, 9, 0.8);
    await expect(fineTune(net, [sample(d, d.truth)], { recipe: testRecipe(), budgetBytes: budget })).rejects.toThrow(
      /3-class model needs its card's classWeights/,
    );
    await expect(
      fineTune(net, [sample(d, d.truth)], { recipe: testRecipe(), budgetBytes: budget, foregroundClasses: [0, 1, 2] }),
    ).rejects.toThrow(/every class of this 3-class model is foreground/);
    await expect(
      fineTune(net, [sample(d, d.truth)], { recipe: testRecipe(), budgetBytes: budget, foregroundClasses: [3] }),
    ).rejects.toThrow(/not classes of this 3-class model/);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
