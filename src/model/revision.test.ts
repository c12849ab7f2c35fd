import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { segmenterRevision, weightsRevision, type WeightValues } from './revision';
import type { UnetConfig } from './types';
import { createUnet } from './unet';

const config: UnetConfig = { depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 3 };

function weights(): WeightValues[] {
  return [
    { shape: [3, 3, 1, 4], data: Float32Array.from({ length: 36 }, (_, i) => Math.sin(i)) },
    { shape: [4], data: Float32Array.from([0.1, 0.2, 0.3, 0.4]) },
  ];
}

describe('weights revision', () => {
  it('is the same for the same weights and changes with one changed weight', async () => {
    const a = await weightsRevision(config, weights());
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(await weightsRevision(config, weights())).toBe(a);
    const changed = weights();
    changed[0].data[17] = Math.fround(changed[0].data[17] + 1e-6);
    expect(await weightsRevision(config, changed)).not.toBe(a);
  });

  it('changes with the architecture or the shapes, not with the seed or dropout', async () => {
    const a = await weightsRevision(config, weights());
    expect(await weightsRevision({ ...config, padding: 'same' }, weights())).not.toBe(a);
    const reshaped = weights();
    expect(await weightsRevision(config, [{ ...reshaped[0], shape: [3, 3, 4, 1] }, reshaped[1]])).not.toBe(a);
    expect(await weightsRevision({ ...config, seed: 99, dropout: 0.5 }, weights())).toBe(a);
  });

  it('of a segmenter: two builds with one seed agree, another seed differs, and no tensor is left', async () => {
    await tf.setBackend('cpu');
    const one = createUnet(config);
    const two = createUnet(config);
    const other = createUnet({ ...config, seed: 4 });
    const before = tf.memory().numTensors;
    const [r1, r2, r3] = [await segmenterRevision(one), await segmenterRevision(two), await segmenterRevision(other)];
    expect(tf.memory().numTensors).toBe(before);
    expect(r1).toBe(r2);
    expect(r3).not.toBe(r1);
    [one, two, other].forEach((s) => s.dispose());
  });
});
