import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FloatPlane } from '../image/types';
import { segmentPlane } from './segment';
import { DIHEDRAL, applyDihedral, invertDihedral, ttaPredict } from './tta';
import type { Segmenter } from './types';
import { createUnet } from './unet';
import { contextMargin, sizeStep } from './validSize';

/** Rotates a plane by 90 degrees counter-clockwise, pixel by pixel (independent of tf). */
function rot90(p: FloatPlane): FloatPlane {
  const out = new Float32Array(p.data.length);
  // New size: width' = height, height' = width; (y, x) -> (W - 1 - x, y).
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) out[(p.width - 1 - x) * p.height + y] = p.data[y * p.width + x];
  }
  return { width: p.height, height: p.width, data: out };
}

function plane(height: number, width: number, seed: number): FloatPlane {
  let s = seed;
  const data = Float32Array.from({ length: width * height }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1);
  return { width, height, data };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

let segmenter: Segmenter;
beforeAll(async () => {
  await tf.setBackend('cpu');
  segmenter = createUnet({ depth: 2, baseFilters: 2, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 21 });
});
afterAll(() => segmenter.dispose());

describe('dihedral transforms', () => {
  it('are 8 distinct transforms, each undone by its inverse', () => {
    const x = tf.tensor4d(Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => i), [1, 3, 4, 2]);
    const seen = new Set<string>();
    for (const g of DIHEDRAL) {
      const gx = applyDihedral(x, g);
      seen.add(`${gx.shape}:${gx.dataSync().join(',')}`);
      const back = invertDihedral(gx, g);
      expect(back.shape).toEqual(x.shape);
      expect(Array.from(back.dataSync())).toEqual(Array.from(x.dataSync()));
      gx.dispose();
      back.dispose();
    }
    x.dispose();
    expect(seen.size).toBe(8);
  });
});

describe('test-time augmentation', () => {
  it('is rotation-equivariant on a tile: TTA(rot(x)) = rot(TTA(x))', () => {
    const before = tf.memory().numTensors;
    const f = (t: tf.Tensor4D) => segmenter.predictTile(t);
    tf.tidy(() => {
      const x = tf.randomNormal([2, 64, 64, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
      const rot = (t: tf.Tensor4D) => tf.reverse(tf.transpose(t, [0, 2, 1, 3]), [1]) as tf.Tensor4D;
      const a = ttaPredict(f, rot(x));
      const b = rot(ttaPredict(f, x));
      expect(maxAbsDiff(a.dataSync(), b.dataSync())).toBeLessThan(1e-5);
      // Without TTA the network itself is not equivariant, so the check above has teeth.
      expect(maxAbsDiff(f(rot(x)).dataSync(), rot(f(x)).dataSync())).toBeGreaterThan(1e-3);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('on a whole image: TTA segmentation of the rotated image equals the rotated TTA segmentation', async () => {
    // Rotation moves the image origin to another corner; the 2^depth pooling grids of the two
    // mirrored images coincide when (side + 2 * margin) is a multiple of 2^depth, as here (36, 52).
    const c = segmenter.config;
    const [h, w] = [36, 52];
    expect((h + 2 * contextMargin(c)) % sizeStep(c)).toBe(0);
    expect((w + 2 * contextMargin(c)) % sizeStep(c)).toBe(0);
    const img = plane(h, w, 17);
    const opts = { tta: true, tileOutput: 20, batch: 2 };
    const direct = await segmentPlane(segmenter, rot90(img), opts);
    const base = await segmentPlane(segmenter, img, opts);
    expect(direct.tile.tiles).toBeGreaterThan(1);
    const rotated = rot90({ width: w, height: h, data: base.probabilities });
    expect(maxAbsDiff(direct.probabilities, rotated.data)).toBeLessThan(1e-5);
    const plain = await segmentPlane(segmenter, img, { tileOutput: 20 });
    expect(maxAbsDiff(plain.probabilities, base.probabilities)).toBeGreaterThan(1e-4);
  });
});
