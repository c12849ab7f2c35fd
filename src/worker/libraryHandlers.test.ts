import * as tf from '@tensorflow/tfjs';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingRecipe } from '../model/recipe';
import type { WorkerClient } from './client';
import { startModelWorker } from './inProcessWorker';
import { createLibraryHandlers } from './libraryHandlers';
import type { ModelState } from './modelHandlers';
import type { ModelFileMessage, ModelSource } from './protocol';

/*
 * The model library in the worker, in Node with real tfjs models and the real dispatcher, registry and
 * handlers: an import that is refused changes nothing; export, import and duplicate keep the weights
 * revision, so results cached under it stay valid.
 */

const tiny: ModelSource = { kind: 'random', name: 'tiny', config: { depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 3 } };
const recipe = {} as TrainingRecipe;

/** The files of a model ZIP, with some replaced (undefined removes one), zipped again under new names. */
function zipOf(files: Record<string, Uint8Array>): ModelFileMessage[] {
  return [{ name: 'model.zip', bytes: zipSync(files) }];
}

describe('model library in the worker', () => {
  let client: WorkerClient;
  let state: ModelState;
  let good: Record<string, Uint8Array>;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    ({ client, state } = startModelWorker({ resolveRecipe: () => recipe, families: [createLibraryHandlers] }));
    await client.call('loadModel', { id: 'tiny', source: tiny });
    const { bytes, fileName } = await client.call('packageModel', { id: 'tiny', format: 'zip' });
    expect(fileName).toBe('tiny.zip');
    good = unzipSync(bytes);
  });
  afterAll(() => {
    for (const id of state.registry.ids()) state.registry.remove(id);
  });

  it('refuses bad files with a ModelImportError that says what is wrong, and leaves the registry and tensors as they were', async () => {
    const idsBefore = state.registry.ids();
    const tensorsBefore = tf.memory().numTensors;
    const weights = good['group1-shard1of1.bin'];
    const cases: [string, ModelFileMessage[], RegExp][] = [
      ['malformed JSON', zipOf({ ...good, 'model.json': strToU8('{"modelTopology": ') }), /model\.json .*not valid JSON/],
      ['too-short weights', zipOf({ ...good, 'group1-shard1of1.bin': weights.subarray(0, 1000) }), /too short/],
      ['missing weights', zipOf({ 'model.json': good['model.json'], 'model-card.json': good['model-card.json'] }), /weights are missing/],
      ['path traversal', zipOf({ ...good, '../evil.sh': strToU8('rm -rf /') }), /climbs out of its folder/],
      ['not a ZIP', [{ name: 'model.zip', bytes: strToU8('PK\u0003\u0004 but nothing else') }], /not a readable ZIP|not a ZIP|damaged/],
      ['loose files without a card', [{ name: 'model.json', bytes: good['model.json'] }, { name: 'group1-shard1of1.bin', bytes: weights }], /model-card\.json is missing/],
    ];
    for (const [what, files, message] of cases) {
      const attempt = client.call('importModel', { id: `bad-${what}`, files });
      await expect(attempt, what).rejects.toMatchObject({ name: 'ModelImportError', message: expect.stringMatching(message) });
    }
    await expect(client.call('importModel', { id: 'grey-only', files: zipOf(good), expectInChannels: 3 })).rejects.toMatchObject({ name: 'ModelImportError' });
    expect(state.registry.ids()).toEqual(idsBefore);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('an exported model imports as a new model with the same weights revision; a duplicate too, and each can go alone', async () => {
    const original = await client.call('describeModel', { id: 'tiny' });
    expect(original.revision).toMatch(/^[0-9a-f]{64}$/);
    const imported = await client.call('importModel', { id: 'imported', files: zipOf(good) });
    expect(imported.revision).toBe(original.revision);
    expect(imported.card.name).toBe('tiny');

    const copy = await client.call('duplicateModel', { id: 'imported', newId: 'copy', name: 'tiny copy' });
    expect(copy).toMatchObject({ id: 'copy', revision: original.revision, card: { name: 'tiny copy' } });
    expect(state.registry.ids()).toEqual(['tiny', 'imported', 'copy']);
    await expect(client.call('importModel', { id: 'copy', files: zipOf(good) })).rejects.toThrow(/exists already/);

    // The copy owns its weights: removing the model it came from leaves it working.
    await client.call('removeModel', { id: 'imported' });
    const plane = { width: 40, height: 40, data: Float32Array.from({ length: 1600 }, (_, i) => (i * 37) % 255) };
    const a = await client.call('segment', { modelId: 'copy', image: { ...plane, data: plane.data.slice() }, options: { tta: false } });
    const b = await client.call('segment', { modelId: 'tiny', image: { ...plane, data: plane.data.slice() }, options: { tta: false } });
    expect(a.probabilities).toEqual(b.probabilities);
    await client.call('removeModel', { id: 'copy' });
    expect(state.registry.ids()).toEqual(['tiny']);
  });

  it('a bioimage.io package of a model, with a raw test image, imports back with the same revision and a renamed card', async () => {
    const testImage = { width: 48, height: 48, data: Float32Array.from({ length: 48 * 48 }, (_, i) => 100 + 50 * Math.sin(i / 9)) };
    const pkg = await client.call('packageModel', { id: 'tiny', format: 'bioimageio', name: 'my nuclei', testImage });
    expect(pkg.fileName).toBe('my_nuclei.bioimageio.zip');
    expect(Object.keys(unzipSync(pkg.bytes))).toContain('rdf.yaml');
    const back = await client.call('importModel', { id: 'from-package', files: [{ name: pkg.fileName, bytes: pkg.bytes }] });
    expect(back.card.name).toBe('my nuclei');
    expect(back.revision).toBe((await client.call('describeModel', { id: 'tiny' })).revision);
    await client.call('removeModel', { id: 'from-package' });
    await expect(client.call('packageModel', { id: 'tiny', format: 'bioimageio' })).rejects.toThrow(/needs a test image/);
  });
});
