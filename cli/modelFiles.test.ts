import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelCard } from '../src/model/io';
import { createUnet } from '../src/model/unet';
import { loadModelDir, saveModelDir } from './modelFiles';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'unet-model-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('model directories', () => {
  it('writes the standard files and loads them back with identical predictions', async () => {
    const before = tf.memory().numTensors;
    const segmenter = createUnet({ depth: 2, baseFilters: 2, inChannels: 3, classes: 2, dropout: 0.2, padding: 'valid', seed: 3 });
    const card = createModelCard(segmenter, { name: 'rgb', task: 'nuclei', description: 'test', trainedSteps: 5 });
    await saveModelDir(dir, segmenter, card);
    expect((await fs.readdir(dir)).sort()).toEqual(['group1-shard1of1.bin', 'model-card.json', 'model.json']);
    const bin = await fs.stat(path.join(dir, 'group1-shard1of1.bin'));
    expect(bin.size).toBe(segmenter.model.countParams() * 4);

    const loaded = await loadModelDir(dir);
    expect(loaded.card).toEqual(card);
    const x = tf.randomNormal([1, 44, 60, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const a = tf.tidy(() => Array.from(segmenter.predictTile(x).dataSync()));
    const b = tf.tidy(() => Array.from(loaded.segmenter.predictTile(x).dataSync()));
    expect(b).toEqual(a);
    x.dispose();
    segmenter.dispose();
    loaded.segmenter.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a card whose architecture differs from the model, and reports missing files', async () => {
    const segmenter = createUnet({ depth: 1, baseFilters: 2, inChannels: 1, classes: 2, dropout: 0, padding: 'valid' });
    const card = createModelCard(segmenter, { name: 'x', task: 'generic', description: '' });
    await expect(saveModelDir(dir, segmenter, { ...card, architecture: { ...card.architecture, depth: 2 } })).rejects.toThrow(
      /does not match/,
    );
    segmenter.dispose();
    await expect(loadModelDir(path.join(dir, 'missing'))).rejects.toThrow(/cannot read .*model-card\.json/);
  });
});
