import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TrainingRecipe } from '../model/recipe';
import type { UnetConfig } from '../model/types';
import { nearestLegalInputSize } from '../model/validSize';
import { createBenchHandlers } from './benchHandlers';
import type { WorkerClient } from './client';
import { startModelWorker } from './inProcessWorker';

/*
 * The in-browser benchmark's training profile (bench/trainProfileBrowser.ts reads it), run in Node on the CPU
 * backend through the real dispatcher: the profiled step's kernels are the U-Net's forward and backward
 * kernels with their shapes, and nothing is left behind.
 */

const config: UnetConfig = { depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 5 };

describe('benchmarkModel training profile', () => {
  let client: WorkerClient;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    ({ client } = startModelWorker({ resolveRecipe: () => ({}) as TrainingRecipe, families: [() => createBenchHandlers()] }));
  });

  it('returns the kernels of one profiled training step, with the filter gradients of every 3x3 conv', async () => {
    const tile = nearestLegalInputSize(config, 60, 'up');
    const before = tf.memory().numTensors;
    const result = await client.call('benchmarkModel', { config, tileSizes: [], repeats: 1, trainTile: tile, trainSteps: 1, profileTraining: true });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.training?.steps).toBe(1);
    const kernels = result.trainingKernels ?? [];
    // depth 2: two 3x3 convs on each of the 2 down levels, 2 at the bottom, 2 on each of the 2 up levels: 10,
    // each with a filter gradient; the up levels' first convs read the concatenation (skip + up-convolution).
    const filterGradients = kernels.filter((k) => k.name === 'Conv2DBackpropFilter' && k.outShape[0] === 3);
    expect(filterGradients).toHaveLength(10);
    const shapes = filterGradients.map((k) => k.outShape.join('x'));
    for (const shape of ['3x3x1x4', '3x3x8x16', '3x3x16x8', '3x3x8x4']) expect(shapes).toContain(shape);
    // 10 forward 3x3 convs and the 1x1 logits conv.
    expect(kernels.filter((k) => k.name === 'Conv2D' || k.name === 'FusedConv2D').length).toBeGreaterThanOrEqual(11);
    expect(kernels.every((k) => Number.isFinite(k.ms) && k.ms >= 0)).toBe(true);
    expect(result.profiledStepMs).toBeGreaterThan(0);
  });

  it('profiles nothing unless asked', async () => {
    const tile = nearestLegalInputSize(config, 60, 'up');
    const result = await client.call('benchmarkModel', { config, tileSizes: [], repeats: 1, trainTile: tile, trainSteps: 1 });
    expect(result.trainingKernels).toBeUndefined();
    expect(result.profiledStepMs).toBeUndefined();
  });
});
