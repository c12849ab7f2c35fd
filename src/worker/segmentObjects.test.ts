import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeImageObjects } from '../image/imageObjects';
import { plainPostProcessing } from '../image/postProcessing';
import type { TrainingRecipe } from '../model/recipe';
import { commandModes } from './commandModes';
import { createDispatcher } from './handle';
import { createModelHandlers, type ModelState, type WorkerModel } from './modelHandlers';
import { createModelRegistry } from './modelRegistry';
import type { ModelSource, Result, WorkerResponse } from './protocol';

/*
 * Objects where the data is: `segment` with `objects` answers the objects and measurements the model
 * worker made from its own probability map (the same computeImageObjects as the image worker), with the
 * labels and sizes in the transfer list; without `objects` it answers the map alone. Real tfjs (CPU) and
 * the real dispatcher.
 */

const tiny: ModelSource = { kind: 'random', name: 'tiny', config: { depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 3 } };
const W = 24;
const H = 20;

describe('segment with objects', () => {
  const state: ModelState = { registry: createModelRegistry<WorkerModel>(), backend: null, resolveRecipe: () => ({}) as TrainingRecipe };
  const posted: { message: WorkerResponse; transfer: ArrayBuffer[] }[] = [];
  const handle = createDispatcher(createModelHandlers(state), (message, transfer) => posted.push({ message, transfer }), { modes: commandModes });
  const answer = async (id: number): Promise<{ result: Result<'segment'>; transfer: ArrayBuffer[] }> => {
    await expect.poll(() => posted.some((p) => p.message.type !== 'progress' && 'id' in p.message && p.message.id === id), { timeout: 30_000 }).toBe(true);
    const p = posted.find((x) => x.message.type === 'result' && x.message.id === id);
    if (!p || p.message.type !== 'result') throw new Error(`no result for ${id}: ${JSON.stringify(posted.map((x) => x.message.type))}`);
    return { result: p.message.result as Result<'segment'>, transfer: p.transfer };
  };
  const image = () => ({ width: W, height: H, data: Float32Array.from({ length: W * H }, (_, i) => ((i * 7919) % 101) / 100) });

  beforeAll(async () => {
    await tf.setBackend('cpu');
    await handle({ type: 'loadModel', id: 1, params: { id: 'tiny', source: tiny } });
  });
  afterAll(() => state.registry.remove('tiny'));

  it('answers the objects of its own map, measured on the raw plane, labels and sizes transferred', async () => {
    // The map's median as threshold gives this random model's output many objects to count.
    await handle({ type: 'segment', id: 2, params: { modelId: 'tiny', image: image(), options: { tta: false } } });
    const map = [...(await answer(2)).result.probabilities].sort((a, b) => a - b);
    const settings = { ...plainPostProcessing('foreground'), threshold: map[map.length >> 1] };
    const raw = image();
    const intensity = raw.data.slice();
    await handle({ type: 'segment', id: 3, params: { modelId: 'tiny', image: raw, options: { tta: false }, objects: { settings } } });
    const { result, transfer } = await answer(3);
    expect(result.objects).toBeDefined();
    const expected = computeImageObjects(result.probabilities, W, H, settings, intensity);
    expect(expected.count).toBeGreaterThan(2);
    expect(result.objects!.count).toBe(expected.count);
    expect([...result.objects!.labels]).toEqual([...expected.labels]);
    expect(result.objects!.measurements).toEqual(expected.measurements);
    expect(transfer).toContain(result.objects!.labels.buffer);
    expect(transfer).toContain(result.objects!.sizes.buffer);
    expect(transfer).toContain(result.probabilities.buffer);

    // At threshold 0 everything is one object: the counts really come from the settings sent.
    await handle({ type: 'segment', id: 4, params: { modelId: 'tiny', image: image(), options: { tta: false }, objects: { settings: { ...settings, threshold: 0 } } } });
    expect((await answer(4)).result.objects?.count).toBe(1);
  });

  it('without objects answers the map alone', async () => {
    await handle({ type: 'segment', id: 5, params: { modelId: 'tiny', image: image(), options: { tta: false } } });
    const { result } = await answer(5);
    expect(result.objects).toBeUndefined();
    expect(result.probabilities).toHaveLength(W * H);
  });
});
