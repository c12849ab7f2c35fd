import type { FloatPlane, RasterImage } from './types';

/**
 * How raw pixel values become model input. Stored in the model card so that training and inference
 * agree. `percentile` maps the [low, high] percentiles of each image to [0, 1] (robust to 8/16-bit and
 * to exposure); `fixed` maps [min, max] to [0, 1]. Values outside are not clipped beyond [-0.5, 1.5] so
 * saturated spots stay distinguishable while outliers cannot blow up activations.
 */
export type NormalizationSpec =
  | { readonly mode: 'percentile'; readonly low: number; readonly high: number }
  | { readonly mode: 'fixed'; readonly min: number; readonly max: number };

export const defaultNormalization: NormalizationSpec = { mode: 'percentile', low: 1, high: 99.8 };

/** How several channels become the one channel a 1-channel model reads. */
export type ChannelChoice = 'mean' | number;

/** Picks one channel (or the mean of the colour channels, ignoring alpha) as float samples. */
export function toSingleChannel(image: RasterImage, choice: ChannelChoice = 'mean'): FloatPlane {
  const { width, height, channels, data } = image;
  const n = width * height;
  const out = new Float32Array(n);
  if (channels === 1) {
    // A native converting copy: the per-pixel loop was a 50-100 ms main-thread task on 2048x2048.
    out.set(data.subarray(0, n));
    return { width, height, data: out };
  }
  const colour = channels === 4 ? 3 : channels;
  if (choice === 'mean') {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let c = 0; c < colour; c++) s += data[i * channels + c];
      out[i] = s / colour;
    }
  } else {
    if (!Number.isInteger(choice) || choice < 0 || choice >= channels) {
      throw new RangeError(`channel ${choice} does not exist in a ${channels}-channel image`);
    }
    for (let i = 0; i < n; i++) out[i] = data[i * channels + choice];
  }
  return { width, height, data: out };
}

/** The q-th percentile (0..100) of finite values, by sorting a sample: exact for images up to 2^20 px. */
export function percentile(values: ArrayLike<number>, q: number): number {
  const step = Math.max(1, Math.floor(values.length / (1 << 20)));
  const sample: number[] = [];
  for (let i = 0; i < values.length; i += step) {
    const v = values[i];
    if (Number.isFinite(v)) sample.push(v);
  }
  if (sample.length === 0) return 0;
  const sorted = Float64Array.from(sample).sort();
  const pos = (Math.min(100, Math.max(0, q)) / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Applies a normalisation spec to a float plane, returning a new plane. */
export function normalizePlane(plane: FloatPlane, spec: NormalizationSpec): FloatPlane {
  let lo: number;
  let hi: number;
  if (spec.mode === 'percentile') {
    lo = percentile(plane.data, spec.low);
    hi = percentile(plane.data, spec.high);
  } else {
    lo = spec.min;
    hi = spec.max;
  }
  const scale = hi > lo ? 1 / (hi - lo) : 0;
  const out = new Float32Array(plane.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = (plane.data[i] - lo) * scale;
    out[i] = Number.isFinite(v) ? Math.min(1.5, Math.max(-0.5, v)) : 0;
  }
  return { width: plane.width, height: plane.height, data: out };
}

/** Raster image to normalised single-channel model input. */
export function prepareInput(
  image: RasterImage,
  spec: NormalizationSpec = defaultNormalization,
  channel: ChannelChoice = 'mean',
): FloatPlane {
  return normalizePlane(toSingleChannel(image, channel), spec);
}
