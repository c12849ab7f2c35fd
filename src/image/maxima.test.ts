import { describe, expect, it } from 'vitest';
import { hMaxima, reconstructByDilation, regionalMaxima } from './maxima';

/** Reconstruction by iterated geodesic dilation until stable (the definition, slow). */
function reconstructSlow(marker: Float64Array, limit: Float64Array, w: number, h: number): Float64Array {
  let cur = Float64Array.from(marker, (v, i) => Math.min(v, limit[i]));
  for (;;) {
    const next = new Float64Array(cur.length);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let m = -Infinity;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const nx = x + dx;
            const ny = y + dy;
            if (nx >= 0 && ny >= 0 && nx < w && ny < h) m = Math.max(m, cur[ny * w + nx]);
          }
        }
        next[y * w + x] = Math.min(m, limit[y * w + x]);
      }
    }
    if (next.every((v, i) => v === cur[i])) return next;
    cur = next;
  }
}

describe('reconstructByDilation', () => {
  it('equals iterated geodesic dilation on random images', () => {
    let s = 12345;
    const rand = (): number => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (const [w, h] of [[13, 9], [1, 17], [20, 20]]) {
      const limit = Float64Array.from({ length: w * h }, () => Math.floor(rand() * 10));
      const marker = Float64Array.from(limit, (v) => v - 3);
      const expected = reconstructSlow(marker, limit, w, h);
      expect([...reconstructByDilation(Float64Array.from(marker), limit, w, h, 8)]).toEqual([...expected]);
    }
  });
});

describe('regionalMaxima', () => {
  it('labels plateaus with no higher neighbour, not shoulders', () => {
    // 1 x 10 profile: plateau max at x = 1..2, a shoulder plateau at x = 5..6 (rises to 8 at x = 7).
    const f = [1, 5, 5, 2, 3, 4, 4, 8, 0, 0];
    expect([...regionalMaxima(f, 10, 1).labels]).toEqual([0, 1, 1, 0, 0, 0, 0, 2, 0, 0]);
  });

  it('ignores pixels outside the mask', () => {
    const f = [9, 1, 2, 1];
    const { labels, count } = regionalMaxima(f, 4, 1, { mask: [0, 1, 1, 1] });
    expect(count).toBe(1);
    expect([...labels]).toEqual([0, 0, 1, 0]);
  });
});

describe('hMaxima', () => {
  // Peaks at x = 2 (height 10) and x = 8 (height 7), saddle at 4: the lower peak's dynamic is 3.
  const f = [0, 5, 10, 6, 4, 4, 5, 6, 7, 2];

  it('keeps a peak whose dynamic exceeds h and drops the others', () => {
    expect(hMaxima(f, 10, 1, 2).count).toBe(2);
    expect(hMaxima(f, 10, 1, 2.9).count).toBe(2);
    expect(hMaxima(f, 10, 1, 3).count).toBe(1);
    expect(hMaxima(f, 10, 1, 20).count).toBe(1);
  });

  it('returns the part of each peak within h of its top as the seed', () => {
    const seeds = hMaxima(f, 10, 1, 2);
    // Peak 10: pixels >= 8 -> x = 2 only; peak 7: pixels >= 5 connected to it -> x = 6..8.
    expect([...seeds.labels]).toEqual([0, 0, 1, 0, 0, 0, 2, 2, 2, 0]);
  });

  it('rejects a negative h', () => {
    expect(() => hMaxima(f, 10, 1, -1)).toThrow(/h must be >= 0/);
  });
});
