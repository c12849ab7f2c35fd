import { encode as encodePngLib } from 'fast-png';
import { encodeTiff } from './tiffWrite';

/**
 * PNG/TIFF encoders for the export files. PNGs go through fast-png (the only way to write 16-bit PNG
 * without a canvas, which is 8-bit only). Label images with more than 65535 objects do not fit a
 * 16-bit PNG and are written as 32-bit unsigned TIFF by the small writer in tiffWrite.ts (utif2 can
 * only write 8-bit RGBA).
 */

/** Largest instance id a 16-bit PNG can hold. */
export const MAX_PNG_LABEL = 65535;

function checkSize(length: number, width: number, height: number, channels = 1): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`invalid image size ${width}x${height}`);
  }
  if (length !== width * height * channels) {
    throw new RangeError(`pixel array has ${length} values, expected ${width}x${height}x${channels}`);
  }
}

/** 8-bit grey PNG of raw byte values (e.g. the partial label format 0/1/2). */
export function encodeGrey8Png(data: Uint8Array, width: number, height: number): Uint8Array {
  checkSize(data.length, width, height);
  return encodePngLib({ width, height, data, depth: 8, channels: 1 });
}

/** 16-bit grey PNG of raw values. */
export function encodeGrey16Png(data: Uint16Array, width: number, height: number): Uint8Array {
  checkSize(data.length, width, height);
  return encodePngLib({ width, height, data, depth: 16, channels: 1 });
}

/** Binary mask as 8-bit PNG: 255 where `mask` is nonzero, else 0. */
export function encodeMaskPng(mask: ArrayLike<number>, width: number, height: number): Uint8Array {
  checkSize(mask.length, width, height);
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < out.length; i++) out[i] = mask[i] !== 0 ? 255 : 0;
  return encodeGrey8Png(out, width, height);
}

/**
 * Instance labels as 16-bit PNG (0 = background, 1..N objects).
 * @throws RangeError if an id exceeds 65535 (use {@link encodeLabels}, which falls back to TIFF).
 */
export function encodeLabelsPng(labels: Uint32Array | Uint16Array, width: number, height: number): Uint8Array {
  checkSize(labels.length, width, height);
  if (labels instanceof Uint16Array) return encodeGrey16Png(labels, width, height);
  const out = new Uint16Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (v > MAX_PNG_LABEL) throw new RangeError(`label ${v} does not fit a 16-bit PNG (max ${MAX_PNG_LABEL})`);
    out[i] = v;
  }
  return encodeGrey16Png(out, width, height);
}

/** Instance labels as a 32-bit unsigned integer, deflate-compressed, single-page TIFF. */
export function encodeLabelsTiff(labels: Uint32Array, width: number, height: number): Uint8Array {
  checkSize(labels.length, width, height);
  return encodeTiff([{ width, height, channels: 1, data: labels }], { compression: 'deflate' });
}

/** Encoded label file and the extension it needs. */
export interface EncodedLabels {
  readonly extension: 'png' | 'tif';
  readonly bytes: Uint8Array;
}

/** 16-bit PNG when every id fits, else 32-bit TIFF (issue 5: "if > 65535 objects, 32-bit TIFF"). */
export function encodeLabels(labels: Uint32Array, width: number, height: number): EncodedLabels {
  let max = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i];
  return max > MAX_PNG_LABEL
    ? { extension: 'tif', bytes: encodeLabelsTiff(labels, width, height) }
    : { extension: 'png', bytes: encodeLabelsPng(labels, width, height) };
}

/** Probability map as 8-bit PNG: round(clamp(p, 0, 1) * 255); NaN becomes 0. */
export function encodeProbabilityPng(prob: ArrayLike<number>, width: number, height: number): Uint8Array {
  checkSize(prob.length, width, height);
  const out = new Uint8Array(prob.length);
  for (let i = 0; i < out.length; i++) {
    const p = prob[i];
    out[i] = p > 0 ? (p >= 1 ? 255 : Math.round(p * 255)) : 0;
  }
  return encodeGrey8Png(out, width, height);
}

/** 8-bit RGBA PNG (the colour preview). */
export function encodeRgbaPng(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): Uint8Array {
  checkSize(rgba.length, width, height, 4);
  return encodePngLib({ width, height, data: rgba, depth: 8, channels: 4 });
}
