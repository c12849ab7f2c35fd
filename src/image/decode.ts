import { decode as decodePngLib } from 'fast-png';
import { ImageDecodeError } from './errors';
import { MAX_PIXELS, tooLargeMessage } from './limits';
import { readTiff } from './tiffRead';
import type { RasterImage } from './types';

export { ImageDecodeError, isImageDecodeError } from './errors';
export type { ImageDecodeErrorCode } from './errors';

/** Everything decoded from one file: one RasterImage per page (PNG: one; TIFF: one per full-size page). */
export interface DecodedFile {
  readonly format: 'png' | 'tiff';
  readonly pages: RasterImage[];
}

/** What the leading bytes say a file is (never the extension). */
export type SniffedFormat = 'png' | 'tiff' | 'bigtiff' | 'jpeg' | 'gif' | 'bmp' | 'webp' | 'zip' | 'pdf' | 'svg' | 'unknown';

/** Options of {@link decodeImage}. */
export interface DecodeOptions {
  /**
   * Palette (indexed-colour) images: false (default) expands to RGB like any viewer; true keeps the
   * palette index as an 8-bit grey value, which is what a label image saved with a palette means.
   */
  readonly keepPaletteIndices?: boolean;
}

/** Formats the browser decodes natively (createImageBitmap): 8-bit only, so they never go through here. */
const BROWSER_FORMATS: ReadonlySet<SniffedFormat> = new Set(['jpeg', 'gif', 'bmp', 'webp']);

/** Identifies a file by its magic bytes. */
export function sniffFormat(bytes: Uint8Array): SniffedFormat {
  const b = (i: number): number => (i < bytes.length ? bytes[i] : -1);
  const ascii = (i: number, s: string): boolean => [...s].every((ch, k) => b(i + k) === ch.charCodeAt(0));
  if (b(0) === 0x89 && ascii(1, 'PNG\r\n\x1a\n')) return 'png';
  if ((ascii(0, 'II') && b(2) === 42 && b(3) === 0) || (ascii(0, 'MM') && b(2) === 0 && b(3) === 42)) return 'tiff';
  if ((ascii(0, 'II') && b(2) === 43 && b(3) === 0) || (ascii(0, 'MM') && b(2) === 0 && b(3) === 43)) return 'bigtiff';
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return 'jpeg';
  if (ascii(0, 'GIF8')) return 'gif';
  if (ascii(0, 'BM') && bytes.length > 26) return 'bmp';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'webp';
  if (ascii(0, 'PK\x03\x04')) return 'zip';
  if (ascii(0, '%PDF')) return 'pdf';
  if (looksLikeSvg(bytes)) return 'svg';
  return 'unknown';
}

/** An XML or SVG text whose first element (after a BOM, declaration, comments or doctype) is <svg. */
function looksLikeSvg(bytes: Uint8Array): boolean {
  const head = String.fromCharCode(...bytes.subarray(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0, 1024));
  return /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]/i.test(head);
}

/** True when the app must decode this file with the browser (createImageBitmap) rather than {@link decodeImage}. */
export function needsBrowserDecoder(bytes: Uint8Array): boolean {
  return BROWSER_FORMATS.has(sniffFormat(bytes));
}

/**
 * Decodes PNG (1..16-bit, grey / grey+alpha / RGB / RGBA / palette) and TIFF (see tiffRead.ts) from
 * bytes, sniffing the format from the content. Grey+alpha becomes grey (alpha carries no signal);
 * 1/2/4-bit grey is scaled to 0..255.
 *
 * JPEG, GIF, BMP and WebP are not decoded here (this layer has no DOM): they throw an
 * ImageDecodeError with code 'needs-browser-decoder'; the app decodes them with createImageBitmap and
 * turns the pixels into a RasterImage with {@link rasterFromRgba}.
 *
 * @throws ImageDecodeError for every failure, with a message fit for the user.
 */
export function decodeImage(bytes: Uint8Array, fileName: string, options: DecodeOptions = {}): DecodedFile {
  if (bytes.length === 0) throw new ImageDecodeError('empty', fileName, 'the file is empty (0 bytes)');
  const format = sniffFormat(bytes);
  switch (format) {
    case 'png':
      return { format, pages: [decodePng(bytes, fileName, options)] };
    case 'tiff':
      return { format, pages: guard(fileName, 'TIFF', () => readTiff(bytes, fileName, options.keepPaletteIndices ?? false)) };
    case 'bigtiff':
      throw new ImageDecodeError('unsupported', fileName, 'BigTIFF (files over 4 GB) is not supported; save as a standard TIFF');
    case 'jpeg':
    case 'gif':
    case 'bmp':
    case 'webp':
      throw new ImageDecodeError('needs-browser-decoder', fileName, `${format.toUpperCase()} is decoded by the browser, not by this decoder`);
    case 'zip':
      throw new ImageDecodeError('unknown-format', fileName, 'this is a ZIP archive, not an image: unzip it and open the images inside');
    case 'pdf':
      throw new ImageDecodeError('unknown-format', fileName, 'this is a PDF document, not an image: export the figure as PNG or TIFF');
    case 'svg':
      // Never rendered: an SVG is a document (scripts, external references), and its pixels are not measurements.
      throw new ImageDecodeError('unknown-format', fileName, 'this is an SVG vector drawing, not a microscope image: export it as PNG or TIFF');
    default:
      throw new ImageDecodeError('unknown-format', fileName, `not a TIFF/PNG/JPEG image: it starts with ${describeStart(bytes)}`);
  }
}

/**
 * Turns 8-bit RGBA pixels (a canvas ImageData, e.g. from a JPEG decoded by the browser) into the
 * smallest faithful RasterImage: grey when R = G = B everywhere and opaque, RGB when opaque, else RGBA.
 */
export function rasterFromRgba(width: number, height: number, rgba: Uint8Array | Uint8ClampedArray): RasterImage {
  const n = width * height;
  if (rgba.length < n * 4) throw new RangeError(`RGBA buffer has ${rgba.length} bytes, expected ${n * 4}`);
  let grey = true;
  let opaque = true;
  for (let i = 0; i < n * 4; i += 4) {
    if (rgba[i] !== rgba[i + 1] || rgba[i] !== rgba[i + 2]) grey = false;
    if (rgba[i + 3] !== 255) opaque = false;
    if (!grey && !opaque) break;
  }
  const channels: 1 | 3 | 4 = !opaque ? 4 : grey ? 1 : 3;
  const data = new Uint8Array(n * channels);
  for (let p = 0; p < n; p++) for (let c = 0; c < channels; c++) data[p * channels + c] = rgba[p * 4 + c];
  return { width, height, channels, bitDepth: 8, data };
}

/** Runs a decoder, turning any stray library exception into an ImageDecodeError. */
function guard<T>(fileName: string, what: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    throw new ImageDecodeError('corrupt', fileName, `damaged ${what} file (${describeError(e)})`);
  }
}

/** A library error as one line: "message: cause" (fast-png puts the useful part in `cause`). */
function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const msg = e.message.replace(/[:\s]+$/, '');
  return e.cause instanceof Error ? `${msg}: ${e.cause.message}` : msg;
}

function describeStart(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 16);
  const printable = head.every((c) => (c >= 0x20 && c < 0x7f) || c === 9 || c === 10 || c === 13);
  if (printable) {
    const text = String.fromCharCode(...head).replace(/\s+/g, ' ');
    return `"${text}${bytes.length > 16 ? '…' : ''}" (a text file?)`;
  }
  return `bytes ${[...head.subarray(0, 8)].map((c) => c.toString(16).padStart(2, '0')).join(' ')}`;
}

/**
 * Walks the PNG chunk list first so truncation and damage get a precise message instead of fast-png's
 * "Offset is outside the bounds of the DataView".
 */
function checkPngChunks(bytes: Uint8Array, fileName: string): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 8;
  let sawData = false;
  while (p + 8 <= bytes.length) {
    const len = view.getUint32(p);
    const type = String.fromCharCode(bytes[p + 4], bytes[p + 5], bytes[p + 6], bytes[p + 7]);
    if (p === 8 && type !== 'IHDR') throw new ImageDecodeError('corrupt', fileName, `damaged PNG: first chunk is "${type}", not IHDR`);
    if (p + 12 + len > bytes.length) {
      throw new ImageDecodeError('truncated', fileName, `truncated PNG: chunk ${type} needs ${p + 12 + len} bytes but the file has ${bytes.length} (incomplete download or copy?)`);
    }
    if (type === 'IDAT') sawData = true;
    if (type === 'IEND') {
      if (!sawData) throw new ImageDecodeError('corrupt', fileName, 'damaged PNG: no image data (IDAT) chunk');
      return;
    }
    p += 12 + len;
  }
  throw new ImageDecodeError('truncated', fileName, `truncated PNG: the file ends after ${bytes.length} bytes without an IEND chunk (incomplete download or copy?)`);
}

function decodePng(bytes: Uint8Array, fileName: string, options: DecodeOptions): RasterImage {
  checkPngChunks(bytes, fileName);
  // IHDR (checked first in the chunk walk) holds width and height at bytes 16..23: refuse before fast-png allocates.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declaredWidth = bytes.length >= 24 ? view.getUint32(16) : 0;
  const declaredHeight = bytes.length >= 24 ? view.getUint32(20) : 0;
  if (declaredWidth * declaredHeight > MAX_PIXELS) throw new ImageDecodeError('too-large', fileName, tooLargeMessage('the PNG', declaredWidth, declaredHeight));
  const png = guard(fileName, 'PNG', () => decodePngLib(bytes));
  const { width, height, depth } = png;
  const n = width * height;
  if (png.palette) {
    const data = new Uint8Array(options.keepPaletteIndices ? n : n * 3);
    const index = unpackBits(png.data, width, height, depth, false);
    if (options.keepPaletteIndices) return { width, height, channels: 1, bitDepth: 8, data: index };
    const pal = png.palette;
    for (let i = 0; i < n; i++) {
      const entry = pal[index[i]];
      if (!entry) throw new ImageDecodeError('corrupt', fileName, `damaged PNG: pixel uses palette entry ${index[i]} of ${pal.length}`);
      data[i * 3] = entry[0];
      data[i * 3 + 1] = entry[1];
      data[i * 3 + 2] = entry[2];
    }
    return { width, height, channels: 3, bitDepth: 8, data };
  }
  const src = png.channels;
  if (depth < 8) return { width, height, channels: 1, bitDepth: 8, data: unpackBits(png.data, width, height, depth, true) };
  if (depth !== 8 && depth !== 16) throw new ImageDecodeError('unsupported', fileName, `unsupported PNG bit depth ${String(depth)}`);
  const outCh: 1 | 3 | 4 = src === 2 ? 1 : src === 3 ? 3 : src === 4 ? 4 : 1;
  const expected = n * src;
  if (png.data.length < expected) throw new ImageDecodeError('truncated', fileName, 'truncated PNG: fewer pixels than the header declares');
  const data = depth === 16 ? new Uint16Array(n * outCh) : new Uint8Array(n * outCh);
  if (outCh === src) data.set(png.data.subarray(0, expected));
  else for (let i = 0; i < n; i++) data[i] = png.data[i * src];
  return { width, height, channels: outCh, bitDepth: depth, data };
}

/** Unpacks 1/2/4/8-bit rows (each row byte-aligned) to one byte per pixel, optionally scaled to 0..255. */
function unpackBits(packed: ArrayLike<number>, width: number, height: number, depth: number, scale: boolean): Uint8Array {
  const out = new Uint8Array(width * height);
  if (depth === 8) {
    for (let i = 0; i < out.length; i++) out[i] = packed[i];
    return out;
  }
  const rowBytes = Math.ceil((width * depth) / 8);
  const max = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const v = (packed[y * rowBytes + (bit >>> 3)] >>> (8 - depth - (bit & 7))) & max;
      out[y * width + x] = scale ? Math.round((v * 255) / max) : v;
    }
  }
  return out;
}
