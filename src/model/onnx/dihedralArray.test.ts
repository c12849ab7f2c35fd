import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIHEDRAL, applyDihedral, invertDihedral } from '../tta';
import { transformNhwc } from './dihedralArray';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('transformNhwc', () => {
  // Non-square, batch 2, 3 channels: a swapped axis or a flip on the wrong axis changes values or shape.
  const dims = [2, 3, 5, 3] as const;
  const data = Float32Array.from({ length: 2 * 3 * 5 * 3 }, (_, i) => i);

  it.each(DIHEDRAL.map((g, i) => [i, g] as const))('element %i equals tfjs applyDihedral / invertDihedral', (_, g) => {
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(data, [...dims]);
    const forward = applyDihedral(x, g);
    const inverse = invertDihedral(x, g);
    const ours = transformNhwc({ data, dims }, g, false);
    const oursInverse = transformNhwc({ data, dims }, g, true);
    expect(ours.dims).toEqual(forward.shape);
    expect(Array.from(ours.data)).toEqual(Array.from(forward.dataSync()));
    expect(oursInverse.dims).toEqual(inverse.shape);
    expect(Array.from(oursInverse.data)).toEqual(Array.from(inverse.dataSync()));
    tf.dispose([x, forward, inverse]);
    expect(tf.memory().numTensors).toBe(before);
    const roundTrip = transformNhwc(ours, g, true);
    expect(roundTrip.dims).toEqual(dims);
    expect(roundTrip.data).toEqual(data);
  });
});
