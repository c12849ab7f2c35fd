import { describe, expect, it } from 'vitest';
import { distanceTransform, squaredDistanceTransform } from './distanceTransform';

/** Brute force: minimum over all feature pixels of the Euclidean distance. */
function bruteForce(mask: Uint8Array, w: number, h: number): Float32Array {
  const feats: [number, number][] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) feats.push([i % w, Math.floor(i / w)]);
  const out = new Float32Array(w * h);
  for (let i = 0; i < out.length; i++) {
    const x = i % w;
    const y = Math.floor(i / w);
    let best = Infinity;
    for (const [fx, fy] of feats) best = Math.min(best, (fx - x) ** 2 + (fy - y) ** 2);
    out[i] = Math.sqrt(best);
  }
  return out;
}

/** Deterministic pseudo-random sequence for test shapes. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('distanceTransform', () => {
  it('is the exact distance to a single point', () => {
    const w = 9;
    const h = 7;
    const mask = new Uint8Array(w * h);
    mask[3 * w + 4] = 1;
    const d = distanceTransform(mask, w, h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) expect(d[y * w + x]).toBeCloseTo(Math.hypot(x - 4, y - 3), 5);
  });

  it('matches brute force on a disc, a line, a rectangle outline and random scatter', () => {
    const w = 23;
    const h = 17;
    const shapes: Uint8Array[] = [];
    const disc = new Uint8Array(w * h);
    const line = new Uint8Array(w * h);
    const rect = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if ((x - 8) ** 2 + (y - 9) ** 2 <= 16) disc[y * w + x] = 1;
        if (x === 2 * y - 5) line[y * w + x] = 1;
        if ((x === 4 || x === 18) && y >= 3 && y <= 13) rect[y * w + x] = 1;
        if ((y === 3 || y === 13) && x >= 4 && x <= 18) rect[y * w + x] = 1;
      }
    }
    const rand = lcg(7);
    const scatter = new Uint8Array(w * h).map(() => (rand() < 0.03 ? 1 : 0));
    shapes.push(disc, line, rect, scatter);
    for (const mask of shapes) {
      const d = distanceTransform(mask, w, h);
      const ref = bruteForce(mask, w, h);
      for (let i = 0; i < d.length; i++) expect(Math.abs(d[i] - ref[i])).toBeLessThan(1e-5);
    }
  });

  it('gives Infinity without features and 0 on features', () => {
    const d = distanceTransform(new Uint8Array(12), 4, 3);
    expect([...d].every((v) => v === Infinity)).toBe(true);
    const all = squaredDistanceTransform(4, 3, () => true);
    expect([...all].every((v) => v === 0)).toBe(true);
  });

  it('rejects a mask of the wrong size', () => {
    expect(() => distanceTransform(new Uint8Array(5), 2, 3)).toThrow(/expected 2x3/);
  });
});
