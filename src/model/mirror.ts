import type { FloatPlane } from '../image/types';

/*
 * Mirror (reflect) extrapolation of an image beyond its borders, as in the paper's overlap-tile strategy
 * (Fig. 2): the context a border tile needs is filled with the image mirrored at the border.
 *
 * Convention: 'reflect' without repeating the edge pixel (numpy 'reflect', tf.mirrorPad 'reflect'):
 * for a row a b c d, index -1 -> b, -2 -> c, 4 -> c. Pads wider than the image keep reflecting back and
 * forth (period 2 (n - 1)), so any window can be read from any image, including 1 px strips, where every
 * index maps to the single pixel.
 */

/** Maps any integer index to [0, n) by repeated reflection about the first and last pixel. */
export function mirrorIndex(i: number, n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`mirrorIndex: axis length must be >= 1, got ${n}`);
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const r = ((i % period) + period) % period; // also turns -0 into 0
  return r < n ? r : period - r;
}

/** Source indices of `length` consecutive mirrored coordinates starting at `start`, for an axis of n px. */
export function mirrorIndexMap(start: number, length: number, n: number): Int32Array {
  const map = new Int32Array(length);
  for (let k = 0; k < length; k++) map[k] = mirrorIndex(start + k, n);
  return map;
}

/** Pixels to add on each side. */
export interface Pads {
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

/** Returns the plane mirror-padded by the given (non-negative, possibly larger than the image) pads. */
export function mirrorPad(plane: FloatPlane, pads: Pads): FloatPlane {
  for (const [side, v] of Object.entries(pads)) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`mirrorPad: ${side} pad must be a non-negative integer, got ${v}`);
  }
  const height = plane.height + pads.top + pads.bottom;
  const width = plane.width + pads.left + pads.right;
  const data = extractMirroredWindow([plane], -pads.top, -pads.left, height, width);
  return { width, height, data };
}

/**
 * Reads the window [y0, y0 + h) x [x0, x0 + w) of the mirrored extension of `planes` (one plane per
 * channel, all the same size) as interleaved NHWC values (h * w * channels), into `out` at `offset`
 * (a new array if not given). Used to build tile inputs without materialising a padded image.
 */
export function extractMirroredWindow(
  planes: readonly FloatPlane[],
  y0: number,
  x0: number,
  h: number,
  w: number,
  out?: Float32Array,
  offset = 0,
): Float32Array {
  if (planes.length === 0) throw new Error('extractMirroredWindow: no planes');
  const { width, height } = planes[0];
  for (const p of planes) {
    if (p.width !== width || p.height !== height) throw new Error('extractMirroredWindow: channel planes differ in size');
    if (p.data.length !== width * height) {
      throw new Error(`extractMirroredWindow: plane data has ${p.data.length} values, expected ${width}x${height}`);
    }
  }
  const c = planes.length;
  const target = out ?? new Float32Array(h * w * c);
  if (target.length < offset + h * w * c) throw new RangeError('extractMirroredWindow: output array too small');
  const rows = mirrorIndexMap(y0, h, height);
  const cols = mirrorIndexMap(x0, w, width);
  let o = offset;
  for (let y = 0; y < h; y++) {
    const rowBase = rows[y] * width;
    if (c === 1) {
      const src = planes[0].data;
      for (let x = 0; x < w; x++) target[o++] = src[rowBase + cols[x]];
    } else {
      for (let x = 0; x < w; x++) {
        const s = rowBase + cols[x];
        for (let ch = 0; ch < c; ch++) target[o++] = planes[ch].data[s];
      }
    }
  }
  return target;
}
