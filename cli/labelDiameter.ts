/**
 * The object diameter of label images, shared by `npm run diameter` and `npm run train` (which records it
 * in the card it writes, so that every trained model carries the scale of its training data).
 */
import { connectedComponents } from '../src/image/components';
import type { RasterImage } from '../src/image/types';

/** Object ids of a label image: instance values as they are, or the components of a binary mask. */
export function objectIds(raster: RasterImage, format: 'instance' | 'binary', membraneValue?: number): ArrayLike<number> {
  const { width, height, data, channels } = raster;
  const n = width * height;
  const first = new Float64Array(n);
  for (let i = 0; i < n; i++) first[i] = data[i * channels];
  if (format === 'instance') return first;
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) mask[i] = (membraneValue === undefined ? first[i] !== 0 : first[i] !== membraneValue) ? 1 : 0;
  return connectedComponents(mask, width, height, { connectivity: 4 }).labels;
}

/** Median of numbers (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The card's `objectDiameter`: the median of the per-image diameters, to 0.1 px. */
export function trainingDiameter(perImage: readonly number[]): number {
  return Math.round(median(perImage) * 10) / 10;
}
