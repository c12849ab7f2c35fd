/**
 * Resizing a float plane to any size, separably: each output pixel of a shrinking axis is the
 * coverage-weighted mean of the source pixels its footprint overlaps (area averaging, so no aliasing
 * when objects are scaled down to the model's training size); each output pixel of a growing axis is
 * the linear interpolation at its centre (bilinear). Pixel centres sit at x + 0.5 in both grids, so an
 * unchanged size is the identity and a resize followed by the inverse resize returns to the exact
 * original size.
 */
import type { FloatPlane } from './types';

/** Source taps of every output index along one axis: indices and weights (summing to 1 per output index). */
export interface AxisTaps {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly index: Int32Array;
  readonly weight: Float64Array;
}

/**
 * The taps of resizing one axis from `from` to `to` pixels, pixel centres at x + 0.5 in both grids. A
 * shrinking (or unchanged) axis takes every source pixel its footprint [o·ratio, (o+1)·ratio) overlaps,
 * weighted by the covered fraction; a growing axis interpolates linearly at the output pixel's centre
 * (`'linear'`, for intensities) or takes the source pixel that holds it (`'nearest'`, for label codes).
 */
export function axisTaps(from: number, to: number, grow: 'linear' | 'nearest'): AxisTaps {
  const ratio = from / to;
  const start = new Int32Array(to);
  const count = new Int32Array(to);
  const index: number[] = [];
  const weight: number[] = [];
  for (let o = 0; o < to; o++) {
    start[o] = index.length;
    if (ratio >= 1) {
      // Footprint [o·ratio, (o+1)·ratio) in source pixels; edge pixels count by their covered fraction.
      const lo = o * ratio;
      const hi = (o + 1) * ratio;
      for (let s = Math.floor(lo); s < Math.min(from, Math.ceil(hi)); s++) {
        const cover = Math.min(hi, s + 1) - Math.max(lo, s);
        if (cover > 1e-9) {
          index.push(s);
          weight.push(cover / ratio);
        }
      }
    } else if (grow === 'nearest') {
      index.push(Math.min(from - 1, Math.floor((o + 0.5) * ratio)));
      weight.push(1);
    } else {
      const centre = (o + 0.5) * ratio - 0.5;
      const left = Math.floor(centre);
      const t = centre - left;
      const clamp = (s: number): number => Math.min(from - 1, Math.max(0, s));
      index.push(clamp(left), clamp(left + 1));
      weight.push(1 - t, t);
    }
    count[o] = index.length - start[o];
  }
  return { start, count, index: Int32Array.from(index), weight: Float64Array.from(weight) };
}

/** Plane taps keep float32 weights, as the plane's values are float32. */
function planeTaps(from: number, to: number): Omit<AxisTaps, 'weight'> & { readonly weight: Float32Array } {
  const taps = axisTaps(from, to, 'linear');
  return { ...taps, weight: Float32Array.from(taps.weight) };
}

/**
 * The plane resized to width x height (area averaging when shrinking, bilinear when growing, per axis).
 * @throws RangeError when a size is not a positive integer or the data does not match the plane's size.
 */
export function resizePlane(plane: FloatPlane, width: number, height: number): FloatPlane {
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  }
  const { width: w0, height: h0, data } = plane;
  if (data.length !== w0 * h0) throw new RangeError(`plane has ${data.length} values, expected ${w0}x${h0}`);
  if (w0 === width && h0 === height) return { width, height, data: data.slice() };
  const tx = planeTaps(w0, width);
  const ty = planeTaps(h0, height);
  // Rows first (h0 x width), then columns (height x width).
  const rows = new Float32Array(h0 * width);
  for (let y = 0; y < h0; y++) {
    const src = y * w0;
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = tx.start[x]; k < tx.start[x] + tx.count[x]; k++) sum += data[src + tx.index[k]] * tx.weight[k];
      rows[y * width + x] = sum;
    }
  }
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let k = ty.start[y]; k < ty.start[y] + ty.count[y]; k++) {
      const src = ty.index[k] * width;
      const wgt = ty.weight[k];
      for (let x = 0; x < width; x++) out[y * width + x] += rows[src + x] * wgt;
    }
  }
  return { width, height, data: out };
}

/** The size of a width x height image scaled by `scale` (rounded, at least 1 px per side). */
export function scaledSize(width: number, height: number, scale: number): { width: number; height: number } {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`scale must be a positive number, got ${scale}`);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
