import { encodeGrey8Png } from '../../image/encode';
import type { FloatPlane } from '../../image/types';

/*
 * The package's cover image (bioimage.io asks for 2:1 or 1:1, under 500 KB): the normalised test input
 * on the left and the foreground probability on the right, side by side over the same pixels, scaled up
 * by pixel repetition so that a small test window is still visible on the model zoo page.
 */

/** Smallest cover height the scaling aims for. */
const MIN_COVER_HEIGHT = 256;

function toByte(v: number): number {
  return v > 0 ? (v >= 1 ? 255 : Math.round(v * 255)) : 0;
}

/** A 2:1 grey PNG: `image` (values in [0, 1] shown as grey, outside clamped) | `foreground` probability. */
export function coverPng(image: FloatPlane, foreground: FloatPlane): Uint8Array {
  const { width, height } = image;
  if (foreground.width !== width || foreground.height !== height || width !== height || width < 1) {
    throw new RangeError(`cover: expected two equal square planes, got ${width}x${height} and ${foreground.width}x${foreground.height}`);
  }
  const scale = Math.max(1, Math.ceil(MIN_COVER_HEIGHT / height));
  const h = height * scale;
  const w = 2 * width * scale;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const src = Math.floor(y / scale) * width;
    for (let x = 0; x < w / 2; x++) {
      const s = src + Math.floor(x / scale);
      out[y * w + x] = toByte(image.data[s]);
      out[y * w + w / 2 + x] = toByte(foreground.data[s]);
    }
  }
  return encodeGrey8Png(out, w, h);
}
