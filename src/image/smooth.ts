import { checkPlane } from './neighbours';

/**
 * Separable Gaussian blur with mirrored edges (the same reflection the tiling uses), truncated at 3σ.
 * Used to quieten a probability map before it is seeded and flooded: single-pixel dips in a membrane
 * would otherwise each start a region.
 */
export function gaussianBlur(data: ArrayLike<number>, width: number, height: number, sigma: number): Float32Array {
  checkPlane('image', data.length, width, height);
  const out = Float32Array.from(data);
  if (!(sigma > 0) || width === 0 || height === 0) return out;
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let k = -radius; k <= radius; k++) sum += kernel[k + radius] = Math.exp(-(k * k) / (2 * sigma * sigma));
  for (let k = 0; k < kernel.length; k++) kernel[k] /= sum;
  const mirror = (i: number, n: number): number => {
    if (n === 1) return 0;
    const period = 2 * (n - 1);
    let m = ((i % period) + period) % period;
    if (m >= n) m = period - m;
    return m;
  };
  const line = new Float64Array(Math.max(width, height));
  const pass = (n: number, lines: number, at: (line: number, i: number) => number): void => {
    for (let l = 0; l < lines; l++) {
      for (let i = 0; i < n; i++) line[i] = out[at(l, i)];
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = -radius; k <= radius; k++) s += kernel[k + radius] * line[mirror(i + k, n)];
        out[at(l, i)] = s;
      }
    }
  };
  pass(width, height, (y, x) => y * width + x);
  pass(height, width, (x, y) => y * width + x);
  return out;
}
