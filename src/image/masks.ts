import type { RasterImage } from './types';

/**
 * Label images as read from disk (PNG/TIFF via decodeImage) to the plain arrays the metrics, the
 * components and the trainer use. Conventions of issue 4: instance PNG 8/16-bit (0 = background);
 * binary PNG (for membranes, `--membrane-value` marks membrane: 0 in the ISBI data); partial PNG
 * 0 = unlabelled, 1 = background, 2 = foreground.
 */

function channelOf(image: RasterImage, channel: number): number {
  if (!Number.isInteger(channel) || channel < 0 || channel >= image.channels) {
    throw new RangeError(`channel ${channel} does not exist in a ${image.channels}-channel image`);
  }
  return channel;
}

/** Integer ids of one channel (float TIFF labels are rounded; negatives and NaN become 0). */
export function toLabelIds(image: RasterImage, channel = 0): Uint32Array {
  const c = channelOf(image, channel);
  const n = image.width * image.height;
  const out = new Uint32Array(n);
  const ch = image.channels;
  for (let i = 0; i < n; i++) {
    const v = image.data[i * ch + c];
    out[i] = v > 0 ? Math.round(v) : 0;
  }
  return out;
}

/** 1 where the channel equals `value` (e.g. the membrane value), else 0. */
export function maskEquals(image: RasterImage, value: number, channel = 0): Uint8Array {
  const c = channelOf(image, channel);
  const n = image.width * image.height;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = image.data[i * image.channels + c] === value ? 1 : 0;
  return out;
}

/** 1 where the channel is nonzero (binary and instance label images), else 0. */
export function maskNonzero(image: RasterImage, channel = 0): Uint8Array {
  const c = channelOf(image, channel);
  const n = image.width * image.height;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = image.data[i * image.channels + c] !== 0 ? 1 : 0;
  return out;
}

/** 1 where probability >= threshold (the rule of the exported mask), else 0. */
export function maskFromProbability(probability: ArrayLike<number>, threshold = 0.5): Uint8Array {
  const out = new Uint8Array(probability.length);
  for (let i = 0; i < out.length; i++) out[i] = probability[i] >= threshold ? 1 : 0;
  return out;
}

/**
 * A partial label image (0/1/2) from a decoded PNG, validated: any other value is an error, since a
 * binary 0/255 mask passed as "partial" would otherwise silently train on nothing.
 */
export function toPartialLabels(image: RasterImage, fileName = 'labels'): Uint8Array {
  const ids = toLabelIds(image);
  const out = new Uint8Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i];
    if (v > 2) throw new RangeError(`${fileName}: value ${v} at pixel ${i} is not a partial label (0 unlabelled, 1 background, 2 foreground)`);
    out[i] = v;
  }
  return out;
}
