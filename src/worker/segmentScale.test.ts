import * as tf from '@tensorflow/tfjs';
import { startModelWorker } from './inProcessWorker';
import { describe, expect, it } from 'vitest';
import type { TrainingRecipe } from '../model/recipe';
import { type WorkerClient } from './client';
import { type ModelState } from './modelHandlers';
import type { ModelSource } from './protocol';

/* The worker's segment command with an object diameter, in Node with a real (tiny, random) tfjs model. */

const tiny: ModelSource = { kind: 'random', name: 'tiny', config: { depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 3 } };

function startWorker(): { client: WorkerClient; state: ModelState } {
  return startModelWorker({ resolveRecipe: () => ({}) as TrainingRecipe });
}

const W = 50;
const H = 38;
const image = () => ({ width: W, height: H, data: Float32Array.from({ length: W * H }, (_, i) => 100 + 80 * Math.sin(i / 7) * Math.cos(i / 31)) });

describe('segment with an object diameter', () => {
  it('rescales to the card diameter, answers at the exact input size and reports the scale', async () => {
    const { client, state } = startWorker();
    await client.call('loadModel', { id: 'tiny', source: tiny });
    const model = state.registry.peek('tiny');
    if (!model) throw new Error('not loaded');
    state.registry.add('scaled', { ...model, card: { ...model.card, objectDiameter: 8 } });
    const tensors = tf.memory().numTensors;

    const plain = await client.call('segment', { modelId: 'scaled', image: image(), options: { tta: false } });
    expect(plain.objectScale).toBeUndefined();
    const user = await client.call('segment', { modelId: 'scaled', image: image(), options: { tta: false, diameter: 16 } });
    expect([user.width, user.height, user.probabilities.length]).toEqual([W, H, W * H]);
    expect(user.objectScale).toEqual({ diameter: 16, source: 'user', scale: 0.5, trainingDiameter: 8 });
    expect(Array.from(user.probabilities)).not.toEqual(Array.from(plain.probabilities));
    // The training diameter itself: scale 1, the same map as no rescaling.
    const same = await client.call('segment', { modelId: 'scaled', image: image(), options: { tta: false, diameter: 8 } });
    expect(same.objectScale?.scale).toBe(1);
    expect(Array.from(same.probabilities)).toEqual(Array.from(plain.probabilities));
    // A model without a training diameter ignores the request.
    const ignored = await client.call('segment', { modelId: 'tiny', image: image(), options: { tta: false, diameter: 16 } });
    expect(ignored.objectScale).toBeUndefined();
    expect(Array.from(ignored.probabilities)).toEqual(Array.from(plain.probabilities));
    expect(tf.memory().numTensors).toBe(tensors);
    for (const id of state.registry.ids()) state.registry.remove(id);
  });

  it('reports one progress over all passes: tiles of every pass, rising, ending at the total', async () => {
    const { client, state } = startWorker();
    await client.call('loadModel', { id: 'tiny', source: tiny });
    const model = state.registry.peek('tiny');
    if (!model) throw new Error('not loaded');
    // The random model's objects on this image measure some diameter d; a training diameter of d / 1.6
    // makes the estimate ask for a second pass at 0.625x.
    state.registry.add('probe', { ...model, card: { ...model.card, objectDiameter: 1000 } });
    const probe = await client.call('segment', { modelId: 'probe', image: image(), options: { tta: false, diameter: 'auto' } });
    const d = probe.objectScale?.diameter;
    if (!d) throw new Error('the random model found no objects to measure on the test image');
    state.registry.add('auto', { ...model, card: { ...model.card, objectDiameter: d / 1.6 } });
    const events: { tilesDone: number; tilesTotal: number }[] = [];
    const single: { tilesDone: number; tilesTotal: number }[] = [];
    const result = await client.call('segment', { modelId: 'auto', image: image(), options: { tta: false, diameter: 'auto', tileOutput: 12 } }, { onProgress: (p) => events.push(p) });
    await client.call('segment', { modelId: 'tiny', image: image(), options: { tta: false, tileOutput: 12 } }, { onProgress: (p) => single.push(p) });
    expect(result.objectScale?.scale).toBeCloseTo(0.625, 1);
    const fractions = events.map((e) => e.tilesDone / e.tilesTotal);
    for (let k = 1; k < fractions.length; k++) expect(fractions[k]).toBeGreaterThanOrEqual(fractions[k - 1]);
    // Both passes' tiles: the scale-1 pass's and the smaller rescaled pass's.
    const pass1 = single.at(-1)!.tilesTotal;
    expect(events.at(-1)!.tilesDone).toBe(events.at(-1)!.tilesTotal);
    expect(events.at(-1)!.tilesTotal).toBeGreaterThan(pass1);
    expect(events.at(-1)!.tilesTotal).toBeLessThan(2 * pass1);
    for (const id of state.registry.ids()) state.registry.remove(id);
  });
});
