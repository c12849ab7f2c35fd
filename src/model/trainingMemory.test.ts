import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../cli/backend';
import { distillationLoss } from './distillation';
import { logitsFunction } from './gradientCheck';
import { weightedSoftmaxCrossEntropy } from './loss';
import { chooseTrainingTile, estimateTrainingBytes } from './trainingMemory';
import { createStepper } from './trainingStep';
import type { UnetConfig } from './types';
import { createUnet } from './unet';
import { isLegalInputSize, outputSize } from './validSize';
import { snapshotWeights } from './weightSnapshot';

const config = (depth: number, baseFilters: number): UnetConfig => ({
  depth,
  baseFilters,
  inChannels: 1,
  classes: 2,
  dropout: 0.1,
  padding: 'valid',
  seed: 2,
});

/** Peak bytes tfjs allocates for a fine-tuning step, with keep-best copies and optimiser slots alive. */
async function measuredPeak(c: UnetConfig, n: number, optimizer: 'adam' | 'sgd', distill: boolean): Promise<number> {
  const baseline = tf.memory().numBytes;
  const net = createUnet(c);
  const stepper = createStepper(net, { optimizer, learningRate: 1e-4 });
  const logits = logitsFunction(net);
  const o = outputSize(c, n);
  const x = tf.randomNormal([1, n, n, 1]) as tf.Tensor4D;
  const t = tf.zeros([1, o, o], 'int32') as tf.Tensor3D;
  const w = tf.ones([1, o, o]) as tf.Tensor3D;
  const q = tf.fill([1, o, o], 0.3) as tf.Tensor3D;
  const inputs = tf.memory().numBytes - baseline - net.model.countParams() * 4;
  const loss = (): tf.Scalar => {
    const l = logits(x, true);
    const ce = weightedSoftmaxCrossEntropy(l, t, w);
    return distill ? (tf.add(ce, distillationLoss(l, q, w)) as tf.Scalar) : ce;
  };
  // The first step creates the optimiser's slots; the snapshots then hold their own copies.
  const start = snapshotWeights(net);
  tf.tidy(() => {
    stepper.step(loss);
  });
  const best = snapshotWeights(net);
  const profile = await tf.profile(() => {
    tf.tidy(() => {
      stepper.step(loss);
    });
  });
  const peak = profile.peakBytes - baseline - inputs;
  start.dispose();
  best.dispose();
  tf.dispose([x, t, w, q]);
  stepper.dispose();
  net.dispose();
  return peak;
}

describe('training memory', () => {
  // The wasm and cpu backends account memory identically (measured); wasm runs the steps faster.
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('estimates the peak bytes of a fine-tuning step within 25% of what tfjs allocates', async () => {
    const before = tf.memory().numTensors;
    for (const [depth, filters, n, optimizer, distill] of [
      [2, 4, 92, 'adam', false],
      [2, 8, 92, 'adam', true],
      [3, 4, 100, 'sgd', false],
    ] as const) {
      const c = config(depth, filters);
      const measured = await measuredPeak(c, n, optimizer, distill);
      const estimate = estimateTrainingBytes(c, n, { optimizer, distillation: distill, snapshots: 2 }).peakBytes;
      const ratio = estimate / measured;
      expect(ratio).toBeGreaterThan(0.75);
      expect(ratio).toBeLessThan(1.25);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('chooses the largest legal tile whose step fits, capped by the images and by maxInputSize', () => {
    const c = config(3, 16);
    const args = { config: c, optimizer: 'adam', imageSize: { width: 1024, height: 1024 } } as const;
    const budget = estimateTrainingBytes(c, 380, { optimizer: 'adam' }).peakBytes;
    const chosen = chooseTrainingTile({ ...args, budgetBytes: budget });
    expect(chosen.tileSize).toBe(380);
    expect(isLegalInputSize(c, chosen.tileSize)).toBe(true);
    // One byte less and the next smaller legal tile (step 8) is chosen.
    expect(chooseTrainingTile({ ...args, budgetBytes: budget - 1 }).tileSize).toBe(372);
    expect(chooseTrainingTile({ ...args, budgetBytes: budget, maxInputSize: 300 }).tileSize).toBe(300);
    // A 100 px image needs an output of 100 px at most: input 100 + 2 * 44 = 188 (legal for depth 3).
    const small = chooseTrainingTile({ ...args, imageSize: { width: 100, height: 60 }, budgetBytes: 2 ** 34 });
    expect(small.tileSize).toBe(188);
    expect(small.outputSize).toBeGreaterThanOrEqual(100);
    // Distillation and Adam's two moments cost memory: a tighter fit than SGD without distillation.
    const sgd = chooseTrainingTile({ ...args, optimizer: 'sgd', budgetBytes: budget });
    const distilled = chooseTrainingTile({ ...args, distillation: true, budgetBytes: budget });
    expect(sgd.tileSize).toBeGreaterThanOrEqual(380);
    expect(distilled.tileSize).toBeLessThanOrEqual(380);
  });
});
