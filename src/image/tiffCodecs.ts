import { unzlibSync } from 'fflate';

/**
 * Strip/tile decompressors for baseline TIFF. Each writes into a preallocated `out` of the size the
 * IFD promises and returns the bytes written, so a short strip leaves zeros instead of shifting every
 * following row. They throw plain Errors; the TIFF reader turns them into ImageDecodeErrors.
 */

/** TIFF LZW (compression 5): MSB-first codes of 9..12 bits with the "early change" of libtiff. */
export function lzwDecode(src: Uint8Array, out: Uint8Array): number {
  const prefix = new Int16Array(4096);
  const suffix = new Uint8Array(4096);
  const first = new Uint8Array(4096);
  const lengths = new Uint16Array(4096);
  for (let i = 0; i < 256; i++) {
    prefix[i] = -1;
    suffix[i] = i;
    first[i] = i;
    lengths[i] = 1;
  }
  const totalBits = src.length * 8;
  let width = 9;
  let next = 258;
  let old = -1;
  let bitPos = 0;
  let o = 0;
  while (bitPos + width <= totalBits && o < out.length) {
    // Three bytes always hold a <= 12-bit code starting at any bit offset; bytes past the end read as 0.
    const i = bitPos >>> 3;
    const word = ((src[i] << 16) | ((src[i + 1] ?? 0) << 8) | (src[i + 2] ?? 0)) >>> 0;
    const code = (word >>> (24 - (bitPos & 7) - width)) & ((1 << width) - 1);
    bitPos += width;
    if (code === 257) break;
    if (code === 256) {
      width = 9;
      next = 258;
      old = -1;
      continue;
    }
    if (old === -1) {
      if (code > 255) throw new Error(`LZW stream starts with code ${code}`);
      out[o++] = code;
      old = code;
      continue;
    }
    let emitCode: number;
    let tailChar = -1;
    if (code < next) {
      emitCode = code;
    } else if (code === next) {
      emitCode = old;
      tailChar = first[old];
    } else {
      throw new Error(`invalid LZW code ${code} (table has ${next})`);
    }
    o = emitString(emitCode, prefix, suffix, lengths, out, o);
    if (tailChar >= 0 && o < out.length) out[o++] = tailChar;
    if (next < 4096) {
      prefix[next] = old;
      suffix[next] = code < next ? first[code] : first[old];
      first[next] = first[old];
      lengths[next] = lengths[old] + 1;
      next++;
      if (next >= (1 << width) - 1 && width < 12) width++;
    }
    old = code;
  }
  return o;
}

function emitString(
  code: number,
  prefix: Int16Array,
  suffix: Uint8Array,
  lengths: Uint16Array,
  out: Uint8Array,
  o: number,
): number {
  const len = lengths[code];
  // Walk the prefix chain backwards, writing from the end; clip what would overflow `out`.
  let c = code;
  for (let k = len - 1; k >= 0; k--) {
    if (o + k < out.length) out[o + k] = suffix[c];
    c = prefix[c];
  }
  return Math.min(out.length, o + len);
}

/** PackBits run-length coding (compression 32773). */
export function packBitsDecode(src: Uint8Array, out: Uint8Array): number {
  let i = 0;
  let o = 0;
  while (i < src.length && o < out.length) {
    const n = (src[i++] << 24) >> 24;
    if (n >= 0) {
      const end = Math.min(i + n + 1, src.length);
      while (i < end && o < out.length) out[o++] = src[i++];
    } else if (n !== -128) {
      const v = src[i++];
      for (let k = 0; k < 1 - n && o < out.length; k++) out[o++] = v;
    }
  }
  return o;
}

/** Adobe deflate (compression 8 / 32946): a zlib stream per strip. */
export function deflateDecode(src: Uint8Array, out: Uint8Array): number {
  const raw = unzlibSync(src);
  const n = Math.min(raw.length, out.length);
  out.set(raw.subarray(0, n));
  return n;
}

/**
 * Undoes predictor 2 (horizontal differencing) on one decoded segment in file byte order.
 * `stride` is the number of interleaved samples per pixel in this segment.
 */
export function undoHorizontalPredictor(
  seg: Uint8Array,
  rows: number,
  rowBytes: number,
  samplesPerRow: number,
  stride: number,
  bitsPerSample: number,
  littleEndian: boolean,
): void {
  const bytes = bitsPerSample >>> 3;
  const view = new DataView(seg.buffer, seg.byteOffset, seg.byteLength);
  for (let y = 0; y < rows; y++) {
    const base = y * rowBytes;
    if (bytes === 1) {
      for (let i = stride; i < samplesPerRow; i++) seg[base + i] = (seg[base + i] + seg[base + i - stride]) & 0xff;
    } else if (bytes === 2) {
      for (let i = stride; i < samplesPerRow; i++) {
        const p = base + 2 * i;
        view.setUint16(p, view.getUint16(p, littleEndian) + view.getUint16(p - 2 * stride, littleEndian), littleEndian);
      }
    } else if (bytes === 4) {
      for (let i = stride; i < samplesPerRow; i++) {
        const p = base + 4 * i;
        view.setUint32(p, (view.getUint32(p, littleEndian) + view.getUint32(p - 4 * stride, littleEndian)) >>> 0, littleEndian);
      }
    } else {
      throw new Error(`horizontal predictor with ${bitsPerSample}-bit samples`);
    }
  }
}

/**
 * Undoes predictor 3 (floating point, as libtiff): per row the bytes were split by significance (most
 * significant byte plane first, whatever the file's endianness) and then byte-wise differenced. The
 * row is rewritten in the file's byte order so the ordinary sample reader can follow.
 */
export function undoFloatPredictor(
  seg: Uint8Array,
  rows: number,
  rowBytes: number,
  samplesPerRow: number,
  stride: number,
  bytesPerSample: number,
  littleEndian: boolean,
): void {
  const rowLen = samplesPerRow * bytesPerSample;
  const tmp = new Uint8Array(rowLen);
  for (let y = 0; y < rows; y++) {
    const base = y * rowBytes;
    for (let i = stride; i < rowLen; i++) seg[base + i] = (seg[base + i] + seg[base + i - stride]) & 0xff;
    tmp.set(seg.subarray(base, base + rowLen));
    for (let s = 0; s < samplesPerRow; s++) {
      for (let b = 0; b < bytesPerSample; b++) {
        const dst = littleEndian ? bytesPerSample - 1 - b : b;
        seg[base + s * bytesPerSample + dst] = tmp[b * samplesPerRow + s];
      }
    }
  }
}
