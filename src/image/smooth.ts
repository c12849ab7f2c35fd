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
  // Each line is copied once into a buffer with mirrored margins, so the inner loop has no bounds logic.
  const padded = new Float64Array(Math.max(width, height) + 2 * radius);
  const taps = kernel.length;
  const pass = (n: number, lines: number, lineStride: number, step: number): void => {
    for (let l = 0; l < lines; l++) {
      const base = l * lineStride;
      for (let i = -radius; i < n + radius; i++) padded[i + radius] = out[base + mirror(i, n) * step];
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let k = 0; k < taps; k++) sum += kernel[k] * padded[i + k];
        out[base + i * step] = sum;
      }
    }
  };
  pass(width, height, width, 1);
  pass(height, width, 1, width);
  return out;
}
