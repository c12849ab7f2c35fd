import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifactsFromModelJson,
  artifactsToModelJson,
  artifactsWeightData,
  createModelCard,
  parseModelCard,
  segmenterFromArtifacts,
  segmenterToArtifacts,
} from './io';
import { defaultPostProcessing } from '../image/postProcessing';
import type { Segmenter } from './types';
import { createUnet } from './unet';

let original: Segmenter;
beforeAll(async () => {
  await tf.setBackend('cpu');
  original = createUnet({ depth: 2, baseFilters: 3, inChannels: 1, classes: 3, dropout: 0.5, padding: 'valid', seed: 8 });
});
afterAll(() => original.dispose());

function predict(s: Segmenter, x: tf.Tensor4D): Float32Array {
  return tf.tidy(() => s.predictTile(x).dataSync() as Float32Array);
}

describe('model save / load', () => {
  it('round-trips through in-memory artifacts and through model.json + one weight shard with identical predictions', async () => {
    const card = createModelCard(original, { name: 'test', task: 'generic', description: 'round trip', foregroundClass: 2 });
    expect(card.parameters).toBe(original.model.countParams());
    expect(card.flopsPer512).toBeGreaterThan(0);
    const artifacts = await segmenterToArtifacts(original);
    const x = tf.randomNormal([2, 60, 76, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
    const expected = predict(original, x);

    const viaMemory = await segmenterFromArtifacts(artifacts, card);
    expect(Array.from(predict(viaMemory, x))).toEqual(Array.from(expected));
    expect(viaMemory.config).toEqual(original.config);
    viaMemory.dispose();

    // The files' contents: JSON text and a byte copy of the weights, as a server would deliver them.
    const json = JSON.parse(JSON.stringify(artifactsToModelJson(artifacts))) as ReturnType<typeof artifactsToModelJson>;
    expect(json.weightsManifest[0].paths).toEqual(['group1-shard1of1.bin']);
    expect(json.format).toBe('layers-model');
    const bytes = artifactsWeightData(artifacts).slice(0);
    const viaFiles = await segmenterFromArtifacts(artifactsFromModelJson(json, bytes), parseModelCard(JSON.parse(JSON.stringify(card))));
    expect(Array.from(predict(viaFiles, x))).toEqual(Array.from(expected));
    viaFiles.dispose();
    x.dispose();
  });

  it('rejects a card that does not match or is malformed, naming the field', async () => {
    const artifacts = await segmenterToArtifacts(original);
    const card = createModelCard(original, { name: 'x', task: 'generic', description: '' });
    await expect(
      segmenterFromArtifacts(artifacts, { ...card, architecture: { ...card.architecture, classes: 2 }, foregroundClass: 1 }),
    ).rejects.toThrow(/3 classes but the config says 2/);
    expect(() => parseModelCard({ ...card, task: 'cats' })).toThrow(/task/);
    expect(() => parseModelCard({ ...card, foregroundClass: 3 })).toThrow(/foregroundClass/);
    expect(() => parseModelCard({ ...card, architecture: { ...card.architecture, depth: 0 } })).toThrow(/architecture.*depth/);
    expect(() => parseModelCard('nope')).toThrow(/JSON object/);
    expect(() => parseModelCard({ ...card, postProcessing: { objects: 'foreground', threshold: 2 } })).toThrow(/postProcessing.*threshold/);
    const withPost = { ...card, postProcessing: { ...defaultPostProcessing('foreground'), minSize: 40 } };
    expect(parseModelCard(withPost).postProcessing?.minSize).toBe(40);
    expect(parseModelCard({ ...card, objectDiameter: 15.2, rescale: 'auto' }).objectDiameter).toBe(15.2);
    expect(() => parseModelCard({ ...card, objectDiameter: -1 })).toThrow(/objectDiameter must be a positive number/);
    expect(() => parseModelCard({ ...card, objectDiameter: 15, rescale: 'yes' })).toThrow(/rescale must be 'auto' or 'off'/);
    expect(() => parseModelCard({ ...card, rescale: 'auto' })).toThrow(/rescale 'auto' needs objectDiameter/);
    expect(() => artifactsFromModelJson({} as never, new ArrayBuffer(0))).toThrow(/modelTopology/);
    // The original has 3 classes: one weight per class, each in [0, 1], not all 0.
    expect(parseModelCard({ ...card, classWeights: [0, 1, 0.5] }).classWeights).toEqual([0, 1, 0.5]);
    expect(() => parseModelCard({ ...card, classWeights: [0, 1] })).toThrow(/classWeights must be an array of 3 numbers/);
    expect(() => parseModelCard({ ...card, classWeights: [0, 2, 0] })).toThrow(/classWeights must hold numbers between 0 and 1/);
    expect(() => parseModelCard({ ...card, classWeights: [0, 0, 0] })).toThrow(/classWeights must weigh at least one class/);
  });

  it('leaks no tensors across save and load', async () => {
    const before = tf.memory().numTensors;
    const artifacts = await segmenterToArtifacts(original);
    const s = await segmenterFromArtifacts(artifacts, createModelCard(original, { name: 'x', task: 'generic', description: '' }));
    s.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
