import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from './nodeBackend.node';
import { binaryMetrics } from '../image/metrics';
import { gradientSmokeTest, MissingKernelError } from './gradientCheck';
import { createRng } from './random';
import { segmentPlane } from './segment';
import { learningRateAt, trainSegmenter } from './train';
import type { TrainingSample } from './train';
import { createUnet } from './unet';
import { connectedComponents } from '../image/components';

/** Bright discs (the foreground) on a dim, noisy background. */
function blobs(size: number, seed: number): TrainingSample {
  const rng = createRng(seed);
  const data = new Float32Array(size * size);
  const labels = new Uint8Array(size * size).fill(1);
  for (let i = 0; i < data.length; i++) data[i] = 0.2 + 0.08 * rng.normal();
  for (let k = 0; k < 7; k++) {
    const cx = rng.uniform(8, size - 8);
    const cy = rng.uniform(8, size - 8);
    const r = rng.uniform(4, 8);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) {
          data[y * size + x] = 0.8 + 0.08 * rng.normal();
          labels[y * size + x] = 2;
        }
      }
    }
  }
  return { image: { width: size, height: size, data }, labels, name: `blobs-${seed}` };
}

const tiny = { depth: 2, baseFilters: 8, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 2 } as const;

describe('trainSegmenter', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('teaches a tiny U-Net to segment bright blobs (IoU > 0.9 on unseen images)', async () => {
    const net = createUnet(tiny);
    const train = [1, 2, 3, 4].map((s) => blobs(96, s));
    const counts: number[] = [];
    const result = await trainSegmenter(net, train, {
      steps: 200,
      learningRate: 3e-3,
      tileSize: 92,
      seed: 3,
      augment: { rotate90: true, flip: true, elasticSigma: 4 },
      // Class balancing (w_c) up-weights the rare foreground and so grows masks by about a pixel, which
      // costs IoU on small blobs; the border term alone is tested here.
      weights: { balanceClasses: false },
      onProgress: (p) => {
        if (p.step >= 2) counts.push(tf.memory().numTensors);
      },
    });
    expect(result.steps).toBe(200);
    // Optimiser slots exist from step 1 on: afterwards the tensor count must not move.
    expect(new Set(counts).size).toBe(1);
    const before = tf.memory().numTensors;
    for (const seed of [11, 12]) {
      const test = blobs(96, seed);
      const { probabilities } = await segmentPlane(net, test.image);
      const pred = probabilities.map((p) => (p >= 0.5 ? 1 : 0));
      const truth = test.labels.map((l) => (l === 2 ? 1 : 0));
      expect(binaryMetrics(pred, truth).iou).toBeGreaterThan(0.9);
    }
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
  });

  it('stops cleanly on abort, checkpoints every N steps and leaves no tensors', async () => {
    const before = tf.memory().numTensors;
    const net = createUnet(tiny);
    const controller = new AbortController();
    const checkpoints: number[] = [];
    const result = await trainSegmenter(net, [blobs(64, 5)], {
      steps: 50,
      tileSize: 92,
      optimizer: 'sgd',
      checkpointEvery: 2,
      onCheckpoint: (p) => {
        checkpoints.push(p.step);
      },
      onProgress: (p) => {
        if (p.step === 5) controller.abort();
      },
      signal: controller.signal,
    });
    expect(result.aborted).toBe(true);
    expect(result.steps).toBe(5);
    expect(checkpoints).toEqual([2, 4]);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names a missing gradient kernel before training starts', async () => {
    const net = createUnet(tiny);
    const saved = tf.getKernel(tf.Conv2DBackpropFilter, 'wasm');
    expect(saved).toBeDefined();
    tf.unregisterKernel(tf.Conv2DBackpropFilter, 'wasm');
    try {
      await expect(gradientSmokeTest(net)).rejects.toThrow(MissingKernelError);
      await expect(gradientSmokeTest(net)).rejects.toThrow(/'Conv2DBackpropFilter'/);
    } finally {
      tf.registerKernel(saved!);
    }
    await expect(gradientSmokeTest(net)).resolves.toBeUndefined();
    net.dispose();
  });

  it('teaches a 3-class net the objects\' boundary: edges score higher as boundary than interiors, and the two non-background classes cover the blobs', async () => {
    const net = createUnet({ ...tiny, classes: 3 });
    const withIds = (s: TrainingSample): TrainingSample => ({
      ...s,
      instances: connectedComponents(s.labels.map((l) => (l === 2 ? 1 : 0)), s.image.width, s.image.height, { connectivity: 4 }).labels,
    });
    const train = [1, 2, 3, 4].map((s) => withIds(blobs(96, s)));
    const before = tf.memory().numTensors;
    await trainSegmenter(net, train, {
      steps: 200,
      learningRate: 3e-3,
      tileSize: 92,
      seed: 3,
      augment: { rotate90: true, flip: true },
      weights: { balanceClasses: false },
      boundaryClass: true,
    });
    const test = blobs(96, 11);
    const boundary = (await segmentPlane(net, test.image, { foregroundClass: 2 })).probabilities;
    const background = (await segmentPlane(net, test.image, { foregroundClass: 0 })).probabilities;
    const n = test.labels.length;
    const w = test.image.width;
    let edge = 0;
    let edgeCount = 0;
    let inner = 0;
    let innerCount = 0;
    for (let i = w; i < n - w; i++) {
      if (test.labels[i] !== 2) continue;
      const onEdge = [i - 1, i + 1, i - w, i + w].some((j) => test.labels[j] !== 2);
      const deep = [i - 2, i + 2, i - 2 * w, i + 2 * w].every((j) => test.labels[j] === 2);
      if (onEdge) {
        edge += boundary[i];
        edgeCount++;
      } else if (deep) {
        inner += boundary[i];
        innerCount++;
      }
    }
    // A one-pixel ring on 4-8 px blobs is partly background at sub-pixel level, so the edge mean sits
    // below 0.5 after 200 steps of a tiny net; what must hold is the contrast with the interior.
    expect(edge / edgeCount).toBeGreaterThan(0.35);
    expect(inner / innerCount).toBeLessThan(0.1);
    const pred = background.map((p) => (p < 0.5 ? 1 : 0));
    const truth = test.labels.map((l) => (l === 2 ? 1 : 0));
    expect(binaryMetrics(pred, truth).iou).toBeGreaterThan(0.85);
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
  });

  it('refuses a boundary class without 3 classes or without instances', async () => {
    const two = createUnet(tiny);
    await expect(trainSegmenter(two, [blobs(96, 1)], { steps: 1, tileSize: 92, boundaryClass: true })).rejects.toThrow(/needs 3 classes, this one has 2/);
    two.dispose();
    const three = createUnet({ ...tiny, classes: 3 });
    await expect(trainSegmenter(three, [blobs(96, 1)], { steps: 1, tileSize: 92 })).rejects.toThrow(/needs 2 classes, this one has 3/);
    await expect(trainSegmenter(three, [blobs(96, 1)], { steps: 1, tileSize: 92, boundaryClass: true })).rejects.toThrow(/needs instance labels/);
    three.dispose();
  });

  it('rejects bad options and unlabelled data with clear errors', async () => {
    const net = createUnet(tiny);
    const s = blobs(32, 1);
    await expect(trainSegmenter(net, [s], { steps: 1, tileSize: 90 })).rejects.toThrow(/not a legal input size/);
    await expect(trainSegmenter(net, [], { steps: 1 })).rejects.toThrow(/no training samples/);
    const empty = { ...s, labels: new Uint8Array(s.labels.length) };
    await expect(trainSegmenter(net, [empty], { steps: 1, tileSize: 92 })).rejects.toThrow(/no labelled pixels/);
    net.dispose();
  });
});

describe('learningRateAt', () => {
  it('follows the cosine, step and warm-up schedules', () => {
    const base = { steps: 101, learningRate: 1 };
    expect(learningRateAt({ ...base, schedule: 'cosine', minLearningRate: 0 }, 0)).toBeCloseTo(1);
    expect(learningRateAt({ ...base, schedule: 'cosine', minLearningRate: 0 }, 50)).toBeCloseTo(0.5);
    expect(learningRateAt({ ...base, schedule: 'cosine', minLearningRate: 0 }, 100)).toBeCloseTo(0);
    expect(learningRateAt({ ...base, schedule: 'step', stepEvery: 10, stepGamma: 0.5 }, 25)).toBeCloseTo(0.25);
    expect(learningRateAt({ ...base, warmupSteps: 4 }, 1)).toBeCloseTo(0.5);
  });
});
