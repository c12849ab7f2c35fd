import { percentile } from './normalize';
import type { FloatPlane, RasterImage } from './types';

/**
 * Display contrast for the viewer and the exported preview: which raw values map to black and white.
 * Works the same for 8-bit, 16-bit and float images; nothing here changes the data the model sees.
 */

/** Raw values shown as black (min) and white (max). */
export interface DisplayRange {
  readonly min: number;
  readonly max: number;
}

/** Which channel(s) to show: one channel index, the mean of the colour channels, or colour ('rgb'). */
export type DisplayChannel = number | 'mean' | 'rgb';

/** How to turn a raster into screen pixels. */
export interface DisplaySettings {
  readonly range: DisplayRange;
  /** Show high values dark (e.g. brightfield); default false. */
  readonly invert?: boolean;
  /** Default 'rgb' for 3/4-channel images, channel 0 otherwise. */
  readonly channel?: DisplayChannel;
}

type Source = RasterImage | FloatPlane;

const channelsOf = (img: Source): number => ('channels' in img ? img.channels : 1);

/** Up to `max` samples of one channel (or the colour mean), taken at a regular stride. */
function sampleChannel(img: Source, channel: DisplayChannel, max: number): Float32Array {
  const ch = channelsOf(img);
  const n = img.width * img.height;
  const step = Math.max(1, Math.floor(n / max));
  const out = new Float32Array(Math.ceil(n / step));
  const colour = ch === 4 ? 3 : ch;
  let k = 0;
  for (let p = 0; p < n; p += step) {
    if (typeof channel === 'number') out[k++] = img.data[p * ch + Math.min(channel, ch - 1)];
    else {
      let s = 0;
      for (let c = 0; c < colour; c++) s += img.data[p * ch + c];
      out[k++] = s / colour;
    }
  }
  return out.subarray(0, k);
}

/** Smallest and largest finite value of a channel ({min: 0, max: 1} if there is none). */
export function dataRange(img: Source, channel: DisplayChannel = 'mean'): DisplayRange {
  const v = sampleChannel(img, channel, Number.POSITIVE_INFINITY);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return Number.isFinite(min) && Number.isFinite(max) ? { min, max } : { min: 0, max: 1 };
}

/** The full range of the storage type: 0..255, 0..65535, or the data range for float images. */
export function typeRange(img: RasterImage): DisplayRange {
  if (img.bitDepth === 8) return { min: 0, max: 255 };
  if (img.bitDepth === 16) return { min: 0, max: 65535 };
  return dataRange(img);
}

/**
 * Auto contrast: the [low, high] percentiles (default 0.1 and 99.9) of a channel, from at most 2^18
 * samples so it stays fast on 4096x4096 images. Falls back to the data range on flat images.
 */
export function autoRange(img: Source, channel: DisplayChannel = 'mean', low = 0.1, high = 99.9): DisplayRange {
  const sample = sampleChannel(img, channel, 1 << 18);
  const min = percentile(sample, low);
  const max = percentile(sample, high);
  if (max > min) return { min, max };
  const full = dataRange(img, channel);
  return full.max > full.min ? full : { min: full.min, max: full.min + 1 };
}

/**
 * Renders an image to RGBA bytes for a canvas (ImageData layout), alpha 255. 8/16-bit data go
 * through a lookup table; float data are scaled per pixel. `out` may be passed to avoid allocation.
 */
export function renderToRgba(img: Source, settings: DisplaySettings, out?: Uint8ClampedArray): Uint8ClampedArray {
  const n = img.width * img.height;
  const rgba = out ?? new Uint8ClampedArray(n * 4);
  if (rgba.length !== n * 4) throw new RangeError(`output has ${rgba.length} bytes, expected ${n * 4}`);
  const ch = channelsOf(img);
  const channel = settings.channel ?? (ch >= 3 ? 'rgb' : 0);
  const { min, max } = settings.range;
  const scale = max > min ? 255 / (max - min) : 0;
  const invert = settings.invert ?? false;
  const map = (v: number): number => {
    const g = (v - min) * scale;
    const b = g <= 0 ? 0 : g >= 255 ? 255 : Math.round(g);
    return invert ? 255 - b : b;
  };
  const data = img.data;
  const lut = data instanceof Uint8Array || data instanceof Uint16Array ? buildLut(data instanceof Uint8Array ? 256 : 65536, map) : null;
  const look = lut ? (v: number): number => lut[v] : map;
  const colour = ch === 4 ? 3 : ch;
  if (ch === 1 && lut) {
    // The common case (grey 8/16-bit) without per-pixel branching: one table lookup per pixel.
    for (let p = 0, o = 0; p < n; p++, o += 4) {
      const g = lut[data[p]];
      rgba[o] = g;
      rgba[o + 1] = g;
      rgba[o + 2] = g;
      rgba[o + 3] = 255;
    }
    return rgba;
  }
  for (let p = 0; p < n; p++) {
    const o = p * 4;
    if (channel === 'rgb' && ch >= 3) {
      rgba[o] = look(data[p * ch]);
      rgba[o + 1] = look(data[p * ch + 1]);
      rgba[o + 2] = look(data[p * ch + 2]);
    } else {
      let g: number;
      if (channel === 'mean' || channel === 'rgb') {
        let s = 0;
        for (let c = 0; c < colour; c++) s += data[p * ch + c];
        g = ch === 1 ? look(s) : map(s / colour);
      } else {
        g = look(data[p * ch + Math.min(channel, ch - 1)]);
      }
      rgba[o] = rgba[o + 1] = rgba[o + 2] = g;
    }
    rgba[o + 3] = 255;
  }
  return rgba;
}

function buildLut(size: number, map: (v: number) => number): Uint8Array {
  const lut = new Uint8Array(size);
  for (let v = 0; v < size; v++) lut[v] = map(v);
  return lut;
}
