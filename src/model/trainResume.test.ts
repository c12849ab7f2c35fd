/**
 * A run stopped at a checkpoint and resumed from its saved state ends with the weights of the run that never
 * stopped: same learning-rate schedule, same tiles and augmentation, same dropout masks, same optimiser
 * moments. The control — the same stop followed by a restart with a fresh optimiser and generator, which is
 * what `--init` does — ends elsewhere, so the comparison can fail.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discs } from './fixtures/discs';
import { initNodeBackend } from './nodeBackend.node';
import { createRng, restoreRng } from './random';
import { trainSegmenter } from './train';
import type { TrainingSample, TrainOptions, TrainState } from './train';
import { createStepper } from './trainingStep';
import type { Segmenter } from './types';
import { createUnet } from './unet';

const config = { depth: 1, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0.2, padding: 'valid', seed: 5 } as const;

function samples(): TrainingSample[] {
  return [1, 2].map((seed) => {
    const d = discs(64, seed);
    return { image: d.image, labels: d.truth, name: `discs-${seed}` };
  });
}

/** Adam, cosine with warm-up, augmentation and dropout on: everything that depends on the step or the generator. */
const run: TrainOptions = {
  steps: 6,
  optimizer: 'adam',
  learningRate: 3e-3,
  schedule: 'cosine',
  warmupSteps: 2,
  tileSize: 44,
  seed: 7,
  augment: { rotate90: true, flip: true, elasticSigma: 4, gain: 0.2 },
  skipSmokeTest: true,
};

function weightsOf(net: Segmenter): Float32Array[] {
  return net.model.getWeights().map((w) => Float32Array.from(w.dataSync()));
}

function maxDifference(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let max = 0;
  a.forEach((w, k) => w.forEach((v, i) => (max = Math.max(max, Math.abs(v - b[k][i])))));
  return max;
}

function netWith(weights: readonly Float32Array[]): Segmenter {
  const net = createUnet(config);
  const shapes = net.model.getWeights().map((w) => w.shape);
  const tensors = weights.map((w, k) => tf.tensor(w, shapes[k]));
  net.model.setWeights(tensors);
  tf.dispose(tensors);
  return net;
}

/** The first `stopAt` steps of the run, then its weights and the state the checkpoint saved. */
async function stopped(stopAt: number): Promise<{ weights: Float32Array[]; state: TrainState }> {
  const net = createUnet(config);
  const controller = new AbortController();
  let state: TrainState | undefined;
  await trainSegmenter(net, samples(), {
    ...run,
    signal: controller.signal,
    checkpointEvery: stopAt,
    onCheckpoint: async (_p, take) => {
      state = await take();
      controller.abort();
    },
  });
  const weights = weightsOf(net);
  net.dispose();
  if (state === undefined) throw new Error('no checkpoint');
  return { weights, state };
}

describe('resuming a training run', () => {
  beforeAll(async () => {
    await initNodeBackend('cpu');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('ends where the run that never stopped ends; a restart from the same weights does not', async () => {
    const before = tf.memory().numTensors;
    const straight = createUnet(config);
    await trainSegmenter(straight, samples(), run);
    const expected = weightsOf(straight);
    straight.dispose();

    const { weights, state } = await stopped(3);
    expect(state.step).toBe(3);
    expect(state.optimizer.groups[0][0].values[0]).toBe(3);

    const resumedNet = netWith(weights);
    const result = await trainSegmenter(resumedNet, samples(), { ...run, resume: state, returnState: true });
    expect(result.steps).toBe(6);
    expect(result.state?.step).toBe(6);
    const resumed = weightsOf(resumedNet);
    resumedNet.dispose();

    const restartedNet = netWith(weights);
    await trainSegmenter(restartedNet, samples(), { ...run, steps: 3 });
    const restarted = weightsOf(restartedNet);
    restartedNet.dispose();

    const moved = maxDifference(expected, weights);
    // Adam's bias-correction powers are recomputed from the step count on resume (tfjs multiplies them up
    // step by step), so the last bits may differ; everything else is the same arithmetic.
    expect(maxDifference(expected, resumed)).toBeLessThan(1e-6);
    expect(maxDifference(expected, restarted)).toBeGreaterThan(1e-4);
    expect(moved).toBeGreaterThan(1e-3);
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('refuses a state that does not fit, with a message, and leaves the weights as they were', async () => {
    const { weights, state } = await stopped(2);
    const other = { ...config, baseFilters: 6 };
    const net = createUnet(other);
    const held = weightsOf(net);
    const before = tf.memory().numTensors;
    await expect(trainSegmenter(net, samples(), { ...run, resume: state })).rejects.toThrow(/does not fit this model/);
    await expect(trainSegmenter(net, samples(), { ...run, resume: { ...state, optimizer: { ...state.optimizer, optimizer: 'sgd' } } })).rejects.toThrow(/adam/);
    await expect(trainSegmenter(net, samples(), { ...run, steps: 1, resume: state })).rejects.toThrow(/resume after step 2 of a 1-step run/);
    expect(maxDifference(held, weightsOf(net))).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
    expect(weights.length).toBeGreaterThan(0);
  }, 120_000);

  it('saves and restores both optimisers of an encoder learning-rate split', async () => {
    const a = createUnet(config);
    const options = { optimizer: 'sgd', learningRate: 0.05, momentum: 0.9, encoderLrScale: 0.5 } as const;
    const x = tf.randomNormal([1, 44, 44, 1], 0, 1, 'float32', 3);
    const loss = (net: Segmenter) => () => tf.mean(tf.square(net.model.apply(x, { training: false }) as tf.Tensor)) as tf.Scalar;
    const stepA = createStepper(a, options);
    tf.dispose(tf.tidy(() => stepA.step(loss(a))));
    tf.dispose(tf.tidy(() => stepA.step(loss(a))));
    const state = await stepA.saveState();
    expect(state.groups).toHaveLength(2);
    // b takes a's weights and optimiser state after two steps; one more step each must agree.
    const bWeights = weightsOf(a);
    const bNet = netWith(bWeights);
    const stepB = createStepper(bNet, options);
    await stepB.loadState(state);
    tf.dispose(tf.tidy(() => stepA.step(loss(a))));
    tf.dispose(tf.tidy(() => stepB.step(loss(bNet))));
    expect(maxDifference(weightsOf(a), weightsOf(bNet))).toBe(0);
    // Without the momenta the third step differs.
    const cNet = netWith(bWeights);
    const stepC = createStepper(cNet, options);
    tf.dispose(tf.tidy(() => stepC.step(loss(cNet))));
    expect(maxDifference(weightsOf(a), weightsOf(cNet))).toBeGreaterThan(1e-6);
    for (const s of [stepA, stepB, stepC]) s.dispose();
    for (const n of [a, bNet, cNet]) n.dispose();
    x.dispose();
  }, 60_000);
});

describe('the generator state', () => {
  it('continues the stream exactly, the spare normal included', () => {
    const a = createRng(11);
    for (let i = 0; i < 5; i++) a.next();
    a.normal();
    const b = restoreRng(a.state());
    expect([b.normal(), b.next(), b.int(1000), b.normal()]).toEqual([a.normal(), a.next(), a.int(1000), a.normal()]);
  });

  it('refuses a state that is not a 32-bit unsigned integer', () => {
    expect(() => restoreRng({ state: -1, spare: null })).toThrow(/32-bit/);
    expect(() => restoreRng({ state: 1.5, spare: null })).toThrow(/32-bit/);
    expect(() => restoreRng({ state: 1, spare: Number.NaN })).toThrow(/spare/);
  });
});
