import { ImageDecodeError } from './errors';
import { MAX_PIXELS, tooLargeMessage } from './limits';
import { deflateDecode, lzwDecode, packBitsDecode, undoFloatPredictor, undoHorizontalPredictor } from './tiffCodecs';
import type { PixelArray, RasterImage } from './types';

/**
 * Baseline TIFF reader: strips or tiles, uncompressed / LZW / deflate / PackBits, predictors 2 and 3,
 * little and big endian, chunky or planar, 1..16-bit unsigned, 8..32-bit signed, 32/64-bit float,
 * grey / RGB / RGBA / palette, one RasterImage per page.
 *
 * Why not utif2's pixel decoder: its typings `import 'node'` (which would leak Node globals into the
 * DOM-free, Node-free core type check), its deflate path needs a CommonJS `require('pako')`, it does
 * not byte-swap big-endian float data, and it reads past the end of truncated files without noticing.
 * Tests cross-check this reader against utif2 on the same files.
 */

const TAG = {
  subfileType: 254,
  width: 256,
  height: 257,
  bitsPerSample: 258,
  compression: 259,
  photometric: 262,
  stripOffsets: 273,
  samplesPerPixel: 277,
  rowsPerStrip: 278,
  stripByteCounts: 279,
  planar: 284,
  predictor: 317,
  colorMap: 320,
  tileWidth: 322,
  tileLength: 323,
  tileOffsets: 324,
  tileByteCounts: 325,
  sampleFormat: 339,
} as const;

const WANTED = new Set<number>(Object.values(TAG));
const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };
const COMPRESSION_NAMES: Record<number, string> = {
  2: 'CCITT RLE', 3: 'CCITT fax 3', 4: 'CCITT fax 4', 6: 'old-style JPEG', 7: 'JPEG', 34712: 'JPEG 2000',
  34887: 'LERC', 50000: 'Zstandard', 50001: 'WebP', 34925: 'LZMA',
};

type Tags = Map<number, number[]>;

/** Decodes every full-resolution page of a TIFF file. */
export function readTiff(bytes: Uint8Array, fileName: string, keepPaletteIndices = false): RasterImage[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (code: ConstructorParameters<typeof ImageDecodeError>[0], msg: string): never => {
    throw new ImageDecodeError(code, fileName, msg);
  };
  if (bytes.length < 8) fail('truncated', `truncated TIFF: only ${bytes.length} bytes`);
  const le = bytes[0] === 0x49;
  const magic = view.getUint16(2, le);
  if (magic === 43) fail('unsupported', 'BigTIFF (files over 4 GB) is not supported; save as a standard TIFF');
  if (magic !== 42) fail('corrupt', `not a valid TIFF header (magic number ${magic}, expected 42)`);

  const ifds: Tags[] = [];
  const seen = new Set<number>();
  let offset = view.getUint32(4, le);
  while (offset !== 0) {
    if (seen.has(offset)) break; // a loop in the IFD chain: keep what was read
    seen.add(offset);
    if (offset + 2 > bytes.length) {
      if (ifds.length === 0) fail('truncated', `truncated TIFF: first image directory at byte ${offset} is past the end (${bytes.length} bytes)`);
      break;
    }
    const count = view.getUint16(offset, le);
    const end = offset + 2 + count * 12;
    if (end + 4 > bytes.length) fail('truncated', `truncated TIFF: image directory ${ifds.length + 1} runs past the end of the file`);
    ifds.push(readIfd(view, offset + 2, count, le, fail));
    offset = view.getUint32(end, le);
  }
  if (ifds.length === 0) fail('corrupt', 'the TIFF contains no image directory');
  // Pyramids and thumbnails (NewSubfileType bit 0) are previews of a full page: skip them when one exists.
  const full = ifds.filter((t) => ((one(t, TAG.subfileType) ?? 0) & 1) === 0);
  return (full.length > 0 ? full : ifds).map((t, i) => readPage(bytes, t, le, i, keepPaletteIndices, fail));
}

function readIfd(view: DataView, start: number, count: number, le: boolean, fail: (c: 'corrupt', m: string) => never): Tags {
  const tags: Tags = new Map();
  for (let e = 0; e < count; e++) {
    const p = start + e * 12;
    const tag = view.getUint16(p, le);
    if (!WANTED.has(tag)) continue;
    const type = view.getUint16(p + 2, le);
    const n = view.getUint32(p + 4, le);
    const size = TYPE_SIZE[type];
    if (size === undefined) continue;
    const at = size * n <= 4 ? p + 8 : view.getUint32(p + 8, le);
    if (at + size * n > view.byteLength) fail('corrupt', `TIFF tag ${tag} points past the end of the file (truncated?)`);
    const values = new Array<number>(n);
    for (let i = 0; i < n; i++) values[i] = readValue(view, at + i * size, type, le);
    tags.set(tag, values);
  }
  return tags;
}

function readValue(view: DataView, p: number, type: number, le: boolean): number {
  switch (type) {
    case 3: return view.getUint16(p, le);
    case 4: case 13: return view.getUint32(p, le);
    case 6: return view.getInt8(p);
    case 8: return view.getInt16(p, le);
    case 9: return view.getInt32(p, le);
    case 5: return view.getUint32(p, le) / (view.getUint32(p + 4, le) || 1);
    case 10: return view.getInt32(p, le) / (view.getInt32(p + 4, le) || 1);
    case 11: return view.getFloat32(p, le);
    case 12: return view.getFloat64(p, le);
    default: return view.getUint8(p);
  }
}

function one(tags: Tags, tag: number): number | undefined {
  return tags.get(tag)?.[0];
}

function readPage(
  bytes: Uint8Array,
  tags: Tags,
  le: boolean,
  index: number,
  keepPaletteIndices: boolean,
  fail: (c: 'corrupt' | 'unsupported' | 'truncated' | 'too-large', m: string) => never,
): RasterImage {
  const page = `page ${index + 1}`;
  const width = one(tags, TAG.width) ?? 0;
  const height = one(tags, TAG.height) ?? 0;
  if (width <= 0 || height <= 0) fail('corrupt', `${page} has no valid width/height (${width}x${height})`);
  if (width * height > MAX_PIXELS) fail('too-large', tooLargeMessage(page, width, height));
  const spp = one(tags, TAG.samplesPerPixel) ?? 1;
  const bpsList = tags.get(TAG.bitsPerSample) ?? [1];
  const bps = bpsList[0];
  if (bpsList.some((b) => b !== bps)) fail('unsupported', `${page} mixes bit depths per channel (${bpsList.join('/')})`);
  const format = one(tags, TAG.sampleFormat) ?? 1;
  const compression = one(tags, TAG.compression) ?? 1;
  const photometric = one(tags, TAG.photometric) ?? (spp >= 3 ? 2 : 1);
  const planar = one(tags, TAG.planar) ?? 1;
  const predictor = one(tags, TAG.predictor) ?? 1;

  if (format !== 1 && format !== 2 && format !== 3) fail('unsupported', `${page}: sample format ${format} (complex or undefined data) is not supported`);
  const okDepth = format === 3 ? bps === 32 || bps === 64 : format === 2 ? bps === 8 || bps === 16 || bps === 32 : [1, 2, 4, 8, 16, 32].includes(bps);
  if (!okDepth) {
    const kind = format === 3 ? 'float' : format === 2 ? 'signed' : 'unsigned';
    fail('unsupported', `${page}: ${bps}-bit ${kind} samples are not supported (use 8/16-bit unsigned or 32-bit float)`);
  }
  if (bps < 8 && spp !== 1) fail('unsupported', `${page}: ${bps}-bit samples with ${spp} channels are not supported`);
  if (photometric === 5 || photometric === 6 || photometric === 8) {
    fail('unsupported', `${page}: ${photometric === 5 ? 'CMYK' : photometric === 6 ? 'YCbCr' : 'CIELab'} colour is not supported; save as RGB or greyscale`);
  }
  if (spp > 4) fail('unsupported', `${page} has ${spp} channels per pixel; at most 4 are supported (save channels as separate pages)`);
  if (photometric === 3 && (bps > 8 || !tags.has(TAG.colorMap))) fail('unsupported', `${page}: palette image without a usable colour map`);
  const codec = pickCodec(compression);
  if (!codec) fail('unsupported', `${page}: TIFF compression ${COMPRESSION_NAMES[compression] ?? compression} is not supported; save uncompressed, LZW or deflate`);

  const tiled = tags.has(TAG.tileWidth);
  const segW = tiled ? (one(tags, TAG.tileWidth) ?? 0) : width;
  const segH = tiled ? (one(tags, TAG.tileLength) ?? 0) : Math.min(height, one(tags, TAG.rowsPerStrip) ?? height);
  if (segW <= 0 || segH <= 0) fail('corrupt', `${page}: invalid tile or strip size`);
  const offsets = tags.get(tiled ? TAG.tileOffsets : TAG.stripOffsets);
  if (!offsets) fail('corrupt', `${page} has no pixel data offsets`);
  const counts = tags.get(tiled ? TAG.tileByteCounts : TAG.stripByteCounts);
  const planes = planar === 2 ? spp : 1;
  const sampPerPix = planar === 2 ? 1 : spp; // interleaved samples inside one segment
  const rowBytes = Math.ceil((segW * sampPerPix * bps) / 8);
  const across = Math.ceil(width / segW);
  const down = Math.ceil(height / segH);
  const perPlane = across * down;
  if (offsets.length < perPlane * planes) fail('truncated', `${page} lists ${offsets.length} data blocks, expected ${perPlane * planes}`);

  // Assemble each plane's bytes as full rows of the image, in file byte order.
  const planeRowBytes = Math.ceil((width * sampPerPix * bps) / 8);
  const planeBytes: Uint8Array[] = [];
  const seg = new Uint8Array(rowBytes * segH);
  for (let pl = 0; pl < planes; pl++) {
    const dst = new Uint8Array(planeRowBytes * height);
    for (let s = 0; s < perPlane; s++) {
      const k = pl * perPlane + s;
      const start = offsets[k];
      const count = counts?.[k] ?? (compression === 1 ? seg.length : bytes.length - start);
      if (start + count > bytes.length) {
        fail('truncated', `truncated TIFF: ${page} needs bytes up to ${start + count} but the file has ${bytes.length}`);
      }
      seg.fill(0);
      try {
        codec(bytes.subarray(start, start + count), seg);
      } catch (e) {
        fail('corrupt', `${page}: compressed data is damaged (${e instanceof Error ? e.message : String(e)})`);
      }
      const tx = s % across;
      const ty = Math.floor(s / across);
      const rows = Math.min(segH, height - ty * segH);
      if (predictor === 2) undoHorizontalPredictor(seg, rows, rowBytes, segW * sampPerPix, sampPerPix, bps, le);
      else if (predictor === 3) undoFloatPredictor(seg, rows, rowBytes, segW * sampPerPix, sampPerPix, bps >>> 3, le);
      else if (predictor !== 1) fail('unsupported', `${page}: TIFF predictor ${predictor} is not supported`);
      const x0 = Math.floor((tx * segW * sampPerPix * bps) / 8);
      const copy = Math.min(rowBytes, planeRowBytes - x0);
      for (let r = 0; r < rows; r++) {
        const from = r * rowBytes;
        dst.set(seg.subarray(from, from + copy), (ty * segH + r) * planeRowBytes + x0);
      }
    }
    planeBytes.push(dst);
  }
  return toRaster(planeBytes, { width, height, spp, bps, format, photometric, le, planeRowBytes, colorMap: keepPaletteIndices ? undefined : tags.get(TAG.colorMap) });
}

type Codec = (src: Uint8Array, out: Uint8Array) => number;

function pickCodec(compression: number): Codec | undefined {
  switch (compression) {
    case 1:
      return (src, out) => {
        const n = Math.min(src.length, out.length);
        out.set(src.subarray(0, n));
        return n;
      };
    case 5: return lzwDecode;
    case 8: case 32946: return deflateDecode;
    case 32773: return packBitsDecode;
    default: return undefined;
  }
}

interface Layout {
  width: number;
  height: number;
  spp: number;
  bps: number;
  format: number;
  photometric: number;
  le: boolean;
  planeRowBytes: number;
  colorMap: number[] | undefined;
}

/** Converts assembled file-order bytes to the RasterImage sample type (see types.ts for the mapping). */
function toRaster(planes: Uint8Array[], L: Layout): RasterImage {
  const { width, height, spp, bps, format, photometric, le } = L;
  const n = width * height;
  // Grey+alpha keeps the grey channel: the model reads one channel and alpha carries no signal.
  const palette = photometric === 3 && L.colorMap !== undefined;
  const outCh: 1 | 3 | 4 = palette ? 3 : spp >= 4 ? 4 : spp === 3 ? 3 : 1;
  const planar = planes.length > 1;
  const stride = planar ? 1 : spp;
  const views = planes.map((p) => new DataView(p.buffer, p.byteOffset, p.byteLength));
  const invert = photometric === 0; // WhiteIsZero: flip unsigned values so bright means bright

  if (bps < 8 || photometric === 3) {
    const out = new Uint8Array(n * outCh);
    const src = planes[0];
    const max = (1 << bps) - 1;
    const map = L.colorMap;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const bit = x * bps;
        const v = bps === 8 ? src[y * L.planeRowBytes + x] : (src[y * L.planeRowBytes + (bit >>> 3)] >>> (8 - bps - (bit & 7))) & max;
        const p = y * width + x;
        if (palette && map) {
          const entries = map.length / 3;
          for (let c = 0; c < 3; c++) out[p * 3 + c] = (map[c * entries + v] ?? 0) >>> 8;
        } else {
          const g = photometric === 3 ? v : Math.round((v * 255) / max);
          out[p] = invert ? 255 - g : g;
        }
      }
    }
    return { width, height, channels: outCh, bitDepth: 8, data: out };
  }

  const bytesPer = bps >>> 3;
  let data: PixelArray;
  let bitDepth: 8 | 16 | 32;
  if (format === 1 && bps === 8) {
    data = new Uint8Array(n * outCh);
    bitDepth = 8;
  } else if (format === 1 && bps === 16) {
    data = new Uint16Array(n * outCh);
    bitDepth = 16;
  } else {
    // uint32, signed and float samples all become Float32 (exact for integers below 2^24).
    data = new Float32Array(n * outCh);
    bitDepth = 32;
  }
  const read = sampleReader(format, bps, le);
  const max = format === 1 && bps <= 16 ? (1 << bps) - 1 : 0;
  for (let c = 0; c < outCh; c++) {
    const v = views[planar ? c : 0];
    for (let y = 0; y < height; y++) {
      let p = y * L.planeRowBytes + (planar ? 0 : c) * bytesPer;
      let o = y * width * outCh + c;
      for (let x = 0; x < width; x++, p += stride * bytesPer, o += outCh) {
        const s = read(v, p);
        data[o] = invert && max > 0 ? max - s : s;
      }
    }
  }
  return { width, height, channels: outCh, bitDepth, data };
}

function sampleReader(format: number, bps: number, le: boolean): (v: DataView, p: number) => number {
  if (format === 3) return bps === 32 ? (v, p) => v.getFloat32(p, le) : (v, p) => v.getFloat64(p, le);
  if (format === 2) {
    if (bps === 8) return (v, p) => v.getInt8(p);
    if (bps === 16) return (v, p) => v.getInt16(p, le);
    return (v, p) => v.getInt32(p, le);
  }
  if (bps === 8) return (v, p) => v.getUint8(p);
  if (bps === 16) return (v, p) => v.getUint16(p, le);
  return (v, p) => v.getUint32(p, le);
}
