import { zlibSync } from 'fflate';

/**
 * A minimal baseline TIFF writer (strips, chunky, one IFD per page). utif2 can only write 8-bit RGBA
 * (encodeImage) or raw IFDs without pixel layout, so 16/32-bit and float pages need this. ImageJ/Fiji,
 * Bio-Formats, tifffile and libtiff read its output.
 */

/** Pixel arrays the writer accepts; the array type fixes bits per sample and sample format. */
export type TiffSampleArray = Uint8Array | Uint16Array | Uint32Array | Int16Array | Float32Array;

/** One page to write: interleaved samples, row-major. */
export interface TiffPage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3 | 4;
  readonly data: TiffSampleArray;
}

/** A strip compressor: TIFF compression tag value and the function (used by tests for LZW/PackBits). */
export interface TiffCustomCompression {
  readonly code: number;
  readonly encode: (strip: Uint8Array) => Uint8Array;
}

/** Options of {@link encodeTiff}. */
export interface TiffWriteOptions {
  /** Byte order; default true ('II'). */
  readonly littleEndian?: boolean;
  /** Default 'deflate' (Adobe deflate, code 8). */
  readonly compression?: 'none' | 'deflate' | TiffCustomCompression;
  /** Apply predictor 2 (integers) or 3 (floats) before compressing; default false. */
  readonly predictor?: boolean;
  /** Rows per strip; default about 64 KB of raw data per strip. */
  readonly rowsPerStrip?: number;
  /** Write square tiles of this size (a multiple of 16) instead of strips. */
  readonly tileSize?: number;
  /** Store each channel as its own plane (PlanarConfiguration 2) instead of interleaved. */
  readonly planar?: boolean;
}

interface Entry {
  readonly tag: number;
  readonly type: 3 | 4 | 5;
  readonly values: readonly number[];
}

const TYPE_BYTES = { 3: 2, 4: 4, 5: 8 } as const;

function sampleInfo(data: TiffSampleArray): { bits: number; format: 1 | 2 | 3 } {
  if (data instanceof Uint8Array) return { bits: 8, format: 1 };
  if (data instanceof Uint16Array) return { bits: 16, format: 1 };
  if (data instanceof Uint32Array) return { bits: 32, format: 1 };
  if (data instanceof Int16Array) return { bits: 16, format: 2 };
  return { bits: 32, format: 3 };
}

/** Encodes pages as one (multi-page) TIFF file. */
export function encodeTiff(pages: readonly TiffPage[], options: TiffWriteOptions = {}): Uint8Array {
  if (pages.length === 0) throw new RangeError('encodeTiff needs at least one page');
  const le = options.littleEndian ?? true;
  const compression = options.compression ?? 'deflate';
  const code = compression === 'none' ? 1 : compression === 'deflate' ? 8 : compression.code;
  const parts: Uint8Array[] = [];
  let pos = 0;
  const push = (b: Uint8Array): void => {
    parts.push(b);
    pos += b.length;
  };
  const header = new Uint8Array(8);
  const hv = new DataView(header.buffer);
  header[0] = header[1] = le ? 0x49 : 0x4d;
  hv.setUint16(2, 42, le);
  push(header);
  let prevNext = { view: hv, at: 4 };

  for (const page of pages) {
    const { width, height, channels, data } = page;
    if (data.length !== width * height * channels) {
      throw new RangeError(`TIFF page data has ${data.length} samples, expected ${width}x${height}x${channels}`);
    }
    const { bits, format } = sampleInfo(data);
    const planar = (options.planar ?? false) && channels > 1;
    const tile = options.tileSize;
    if (tile !== undefined && (tile <= 0 || tile % 16 !== 0)) throw new RangeError(`TIFF tile size ${tile} must be a positive multiple of 16`);
    const rowBytes = width * (planar ? 1 : channels) * (bits / 8);
    const rps = Math.max(1, Math.min(height, options.rowsPerStrip ?? Math.floor(65536 / rowBytes)));
    const blockW = tile ?? width;
    const blockH = tile ?? rps;
    const offsets: number[] = [];
    const counts: number[] = [];
    for (let plane = 0; plane < (planar ? channels : 1); plane++) {
      for (let y0 = 0; y0 < height; y0 += blockH) {
        for (let x0 = 0; x0 < width; x0 += blockW) {
          // Strips stop at the last row; tiles are always full size (padding is zero).
          const rows = tile === undefined ? Math.min(rps, height - y0) : tile;
          const block = { x0, y0, w: blockW, h: rows, plane: planar ? plane : -1 };
          let strip = serializeBlock(page, bits, format, block, le, options.predictor ?? false);
          if (compression === 'deflate') strip = zlibSync(strip);
          else if (compression !== 'none') strip = compression.encode(strip);
          offsets.push(pos);
          counts.push(strip.length);
          push(strip);
          if (pos & 1) push(new Uint8Array(1)); // IFDs and values must start on a word boundary
        }
      }
    }
    const perSample = (v: number): number[] => new Array<number>(channels).fill(v);
    const entries: Entry[] = [
      { tag: 256, type: 4, values: [width] },
      { tag: 257, type: 4, values: [height] },
      { tag: 258, type: 3, values: perSample(bits) },
      { tag: 259, type: 3, values: [code] },
      { tag: 262, type: 3, values: [channels >= 3 ? 2 : 1] },
      ...(tile === undefined ? [{ tag: 273, type: 4, values: offsets } as const] : []),
      { tag: 277, type: 3, values: [channels] },
      ...(tile === undefined
        ? [{ tag: 278, type: 4, values: [rps] } as const, { tag: 279, type: 4, values: counts } as const]
        : []),
      { tag: 282, type: 5, values: [1, 1] },
      { tag: 283, type: 5, values: [1, 1] },
      { tag: 284, type: 3, values: [planar ? 2 : 1] },
      { tag: 296, type: 3, values: [1] },
    ];
    if (tile !== undefined) {
      entries.push(
        { tag: 322, type: 4, values: [tile] },
        { tag: 323, type: 4, values: [tile] },
        { tag: 324, type: 4, values: offsets },
        { tag: 325, type: 4, values: counts },
      );
    }
    if (options.predictor) entries.push({ tag: 317, type: 3, values: [format === 3 ? 3 : 2] });
    if (channels === 4) entries.push({ tag: 338, type: 3, values: [2] });
    entries.push({ tag: 339, type: 3, values: perSample(format) });
    entries.sort((a, b) => a.tag - b.tag); // TIFF requires ascending tag order

    const ifdSize = 2 + entries.length * 12 + 4;
    let extra = 0;
    for (const e of entries) {
      const size = byteSize(e);
      if (size > 4) extra += size + (size & 1);
    }
    const ifd = new Uint8Array(ifdSize + extra);
    const v = new DataView(ifd.buffer);
    const ifdPos = pos;
    v.setUint16(0, entries.length, le);
    let extraAt = ifdSize;
    entries.forEach((e, i) => {
      const p = 2 + i * 12;
      const count = e.type === 5 ? e.values.length / 2 : e.values.length;
      v.setUint16(p, e.tag, le);
      v.setUint16(p + 2, e.type, le);
      v.setUint32(p + 4, count, le);
      const size = byteSize(e);
      let at = p + 8;
      if (size > 4) {
        v.setUint32(p + 8, ifdPos + extraAt, le);
        at = extraAt;
        extraAt += size + (size & 1);
      }
      const step = e.type === 3 ? 2 : 4;
      e.values.forEach((val, k) => {
        if (e.type === 3) v.setUint16(at + k * step, val, le);
        else v.setUint32(at + k * step, val, le);
      });
    });
    prevNext.view.setUint32(prevNext.at, ifdPos, le);
    prevNext = { view: v, at: 2 + entries.length * 12 };
    push(ifd);
  }
  const out = new Uint8Array(pos);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function byteSize(e: Entry): number {
  return e.type === 5 ? e.values.length * 4 : e.values.length * TYPE_BYTES[e.type];
}

interface Block {
  readonly x0: number;
  readonly y0: number;
  readonly w: number;
  readonly h: number;
  /** -1: all channels interleaved; else the one channel of a planar file. */
  readonly plane: number;
}

/** Raw bytes of one strip or tile in the file's byte order, with the forward predictor if asked. */
function serializeBlock(page: TiffPage, bits: number, format: 1 | 2 | 3, b: Block, le: boolean, predictor: boolean): Uint8Array {
  const ch = b.plane < 0 ? page.channels : 1;
  const spr = b.w * ch;
  const bytes = bits / 8;
  const out = new Uint8Array(b.h * spr * bytes);
  const view = new DataView(out.buffer);
  const src = page.data;
  const mask = bits === 32 ? 0xffffffff : (1 << bits) - 1;
  const sampleAt = (x: number, y: number, c: number): number =>
    x < page.width && y < page.height ? src[(y * page.width + x) * page.channels + c] : 0;
  for (let r = 0; r < b.h; r++) {
    const o0 = r * spr * bytes;
    for (let i = 0; i < spr; i++) {
      const x = b.x0 + Math.floor(i / ch);
      const c = b.plane < 0 ? i % ch : b.plane;
      const p = o0 + i * bytes;
      const y = b.y0 + r;
      if (format === 3) {
        // The float predictor stores big-endian byte planes whatever the file order (libtiff fpDiff).
        view.setFloat32(p, sampleAt(x, y, c), predictor ? false : le);
      } else {
        let val = sampleAt(x, y, c);
        if (predictor && i >= ch) val = (val - sampleAt(x - 1, y, c)) & mask;
        if (bytes === 1) out[p] = val;
        else if (bytes === 2) view.setUint16(p, val & 0xffff, le);
        else view.setUint32(p, val >>> 0, le);
      }
    }
    if (format === 3 && predictor) {
      const row = out.slice(o0, o0 + spr * 4);
      for (let i = 0; i < spr; i++) for (let k = 0; k < 4; k++) out[o0 + k * spr + i] = row[i * 4 + k];
      for (let i = spr * 4 - 1; i >= ch; i--) out[o0 + i] = (out[o0 + i] - out[o0 + i - ch]) & 0xff;
    }
  }
  return out;
}
