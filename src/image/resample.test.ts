import { describe, expect, it } from 'vitest';
import { resizePlane, scaledSize } from './resample';

const plane = (width: number, height: number, f: (x: number, y: number) => number) => {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = f(x, y);
  return { width, height, data };
};

describe('resizePlane', () => {
  it('is the identity at the same size (a copy)', () => {
    const p = plane(7, 5, (x, y) => Math.sin(x * 3 + y));
    const out = resizePlane(p, 7, 5);
    expect(Array.from(out.data)).toEqual(Array.from(p.data));
    expect(out.data).not.toBe(p.data);
  });

  it('averages areas when shrinking by 2 (exact 2x2 means)', () => {
    const p = plane(4, 2, (x, y) => x + 10 * y);
    // Blocks {0,1,10,11} and {2,3,12,13}.
    expect(Array.from(resizePlane(p, 2, 1).data)).toEqual([5.5, 7.5]);
  });

  it('averages partial pixels by their covered fraction when shrinking 3 -> 2', () => {
    const p = plane(3, 1, (x) => [0, 3, 6][x]);
    // Footprints [0, 1.5) and [1.5, 3): (0 + 0.5·3)/1.5 = 1, (0.5·3 + 6)/1.5 = 5.
    const out = resizePlane(p, 2, 1).data;
    expect(out[0]).toBeCloseTo(1, 6);
    expect(out[1]).toBeCloseTo(5, 6);
  });

  it('interpolates linearly between pixel centres when growing, clamping at the edges', () => {
    const p = plane(2, 1, (x) => [0, 4][x]);
    // Centres of 4 outputs at source x = -0.25, 0.25, 0.75, 1.25.
    expect(Array.from(resizePlane(p, 4, 1).data)).toEqual([0, 1, 3, 4]);
  });

  it('keeps a constant plane constant at any size and returns the exact requested size', () => {
    const p = plane(13, 9, () => 0.7);
    for (const [w, h] of [[5, 4], [31, 22], [13, 1], [1, 1]]) {
      const out = resizePlane(p, w, h);
      expect(out.data.length).toBe(w * h);
      for (const v of out.data) expect(v).toBeCloseTo(0.7, 5);
    }
  });

  it('rejects bad sizes', () => {
    expect(() => resizePlane(plane(2, 2, () => 0), 0, 2)).toThrow(/width must be a positive integer/);
    expect(() => resizePlane({ width: 2, height: 2, data: new Float32Array(3) }, 1, 1)).toThrow(/3 values/);
    expect(scaledSize(640, 512, 0.3)).toEqual({ width: 192, height: 154 });
    expect(scaledSize(3, 3, 0.01)).toEqual({ width: 1, height: 1 });
  });
});
