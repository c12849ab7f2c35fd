import { describe, expect, it } from 'vitest';
import { gaussianBlur } from './smooth';

describe('gaussianBlur', () => {
  it('spreads an impulse as the normalised separable Gaussian', () => {
    const n = 21;
    const sigma = 1.5;
    const img = new Float32Array(n * n);
    img[10 * n + 10] = 1;
    const out = gaussianBlur(img, n, n, sigma);
    // Truncated at ceil(3σ) = 5 and normalised to sum 1, per axis.
    const g = (d: number): number => Math.exp(-(d * d) / (2 * sigma * sigma));
    let z = 0;
    for (let d = -5; d <= 5; d++) z += g(d);
    for (const [dx, dy] of [[0, 0], [1, 0], [2, 3], [5, 5], [6, 0]]) {
      const expected = Math.abs(dx) > 5 || Math.abs(dy) > 5 ? 0 : (g(dx) * g(dy)) / (z * z);
      expect(out[(10 + dy) * n + 10 + dx]).toBeCloseTo(expected, 6);
    }
    expect(out.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
  });

  it('keeps a constant image constant, also in 1-pixel strips (mirrored edges)', () => {
    for (const [w, h] of [[7, 5], [1, 9], [9, 1], [1, 1]]) {
      const out = gaussianBlur(new Float32Array(w * h).fill(0.25), w, h, 3);
      expect(out.every((v) => Math.abs(v - 0.25) < 1e-6)).toBe(true);
    }
  });

  it('mirrors about the edge pixel: a 1 next to the border counts twice for the border pixel', () => {
    // Row [0, 1, 0, 0, 0, 0], σ = 1 (taps -3..3): pixel 0 sees index 1 at k = +1 and, reflected, at k = -1.
    const out = gaussianBlur(Float32Array.of(0, 1, 0, 0, 0, 0), 6, 1, 1);
    const g = (d: number): number => Math.exp(-(d * d) / 2);
    const z = g(0) + 2 * (g(1) + g(2) + g(3));
    expect(out[0]).toBeCloseTo((2 * g(1)) / z, 6);
    expect(out[1]).toBeCloseTo((g(0) + g(2)) / z, 6); // itself, and index -1 (reflected to 1) at k = -2
    expect(out[3]).toBeCloseTo(g(2) / z, 6);
  });

  it('returns a copy for sigma 0', () => {
    const img = Float32Array.of(1, 2, 3, 4);
    const out = gaussianBlur(img, 2, 2, 0);
    expect([...out]).toEqual([1, 2, 3, 4]);
    expect(out).not.toBe(img);
  });
});
