import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encode as encodePng } from 'fast-png';
import UTIF from 'utif2';
import { describe, expect, it } from 'vitest';
import { decodeImage, ImageDecodeError, rasterFromRgba, sniffFormat } from './decode';
import { lzwEncode, packBitsEncode } from './fixtures/tiffEncoders';
import { encodeTiff, type TiffPage } from './tiffWrite';
import type { RasterImage } from './types';

// Fixtures are generated here from real data (ISBI 2012 EM, DSB 2018 BBBC038): see fixtures/README.md.
const DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const hasData = existsSync(DATA);
const read = (rel: string): Uint8Array => new Uint8Array(readFileSync(DATA + rel));
const firstNuclei = (): string => readdirSync(DATA + 'dsb2018-nuclei/images').sort()[0];

function crop(img: RasterImage, x0: number, y0: number, w: number, h: number): RasterImage {
  const ch = img.channels;
  const Ctor = img.data.constructor as new (n: number) => typeof img.data;
  const data = new Ctor(w * h * ch);
  for (let y = 0; y < h; y++) {
    const from = ((y0 + y) * img.width + x0) * ch;
    data.set(img.data.subarray(from, from + w * ch), y * w * ch);
  }
  return { ...img, width: w, height: h, data };
}

const only = (bytes: Uint8Array, name = 'x.tif'): RasterImage => {
  const { pages } = decodeImage(bytes, name);
  expect(pages).toHaveLength(1);
  return pages[0];
};

const asPage = (img: RasterImage, data: TiffPage['data'] = img.data as TiffPage['data']): TiffPage => ({
  width: img.width, height: img.height, channels: img.channels, data,
});

describe.skipIf(!hasData)('decodeImage on real data', () => {
  const id = hasData ? firstNuclei() : '';
  const nuclei = hasData ? crop(only(read(`dsb2018-nuclei/images/${id}`), 'n.png'), 17, 9, 61, 37) : null;
  const em = hasData ? [0, 1, 2].map((i) => crop(only(read(`isbi2012-em/images/${i}.png`), 'e.png'), 100, 200, 50, 40)) : [];

  it('decodes real 8-bit grey PNGs', () => {
    expect(nuclei?.bitDepth).toBe(8);
    expect(nuclei?.channels).toBe(1);
    expect(em[0].data).toBeInstanceOf(Uint8Array);
    expect(new Set(em[0].data).size).toBeGreaterThan(20); // real texture, not a flat fill
  });

  it('round-trips a real 16-bit instance label PNG exactly', () => {
    const bytes = read(`dsb2018-nuclei/labels_instance/${id}`);
    const labels = only(bytes, 'l.png');
    expect(labels.bitDepth).toBe(16);
    expect(labels.data).toBeInstanceOf(Uint16Array);
    const data = labels.data as Uint16Array;
    const max = data.reduce((m, v) => Math.max(m, v), 0);
    expect(max).toBeGreaterThan(5);
    const again = only(encodePng({ width: labels.width, height: labels.height, data, depth: 16, channels: 1 }), 'r.png');
    expect(again.data).toEqual(labels.data);
  });

  it.each([
    ['LE uncompressed', { littleEndian: true, compression: 'none' }],
    ['BE uncompressed', { littleEndian: false, compression: 'none' }],
    ['deflate + predictor, 7-row strips', { compression: 'deflate', predictor: true, rowsPerStrip: 7 }],
    ['LZW', { compression: { code: 5, encode: lzwEncode } }],
    ['PackBits, BE', { littleEndian: false, compression: { code: 32773, encode: packBitsEncode } }],
    ['16x16 tiles', { tileSize: 16, predictor: true }],
  ] as const)('8-bit TIFF (%s) decodes to the PNG values', (_name, opts) => {
    const page = only(encodeTiff([asPage(nuclei!)], opts));
    expect(page).toMatchObject({ width: 61, height: 37, channels: 1, bitDepth: 8 });
    expect(page.data).toEqual(nuclei!.data);
  });

  it.each([true, false])('16-bit TIFF (little endian %s) keeps 16-bit values', (le) => {
    const lab = crop(only(read(`dsb2018-nuclei/labels_instance/${id}`), 'l.png'), 0, 0, 64, 64);
    const wide = Uint16Array.from(nuclei!.data, (v, i) => v * 257 + (i % 3)); // uses the high byte
    for (const [src, opts] of [
      [lab, { littleEndian: le, compression: 'none' }],
      [{ ...nuclei!, bitDepth: 16, data: wide }, { littleEndian: le, predictor: true }],
      [{ ...nuclei!, bitDepth: 16, data: wide }, { littleEndian: le, compression: { code: 5, encode: lzwEncode } }],
    ] as const) {
      const page = only(encodeTiff([asPage(src)], opts));
      expect(page.bitDepth).toBe(16);
      expect(page.data).toBeInstanceOf(Uint16Array);
      expect(page.data).toEqual(src.data);
    }
  });

  it.each([true, false])('32-bit float TIFF (little endian %s) decodes exact floats', (le) => {
    const f = Float32Array.from(nuclei!.data, (v, i) => v / 255 - 0.25 + i * 1e-6);
    for (const opts of [{ compression: 'none' }, { predictor: true }, { tileSize: 32 }] as const) {
      const page = only(encodeTiff([{ width: 61, height: 37, channels: 1, data: f }], { littleEndian: le, ...opts }));
      expect(page.bitDepth).toBe(32);
      expect(page.data).toEqual(f);
    }
  });

  it('multi-page TIFF gives one image per page, in order', () => {
    const { format, pages } = decodeImage(encodeTiff(em.map((e) => asPage(e)), { littleEndian: false }), 'stack.tif');
    expect(format).toBe('tiff');
    expect(pages).toHaveLength(3);
    pages.forEach((p, i) => expect(p.data).toEqual(em[i].data));
  });

  it('RGB TIFF (chunky and planar) keeps the three channels apart', () => {
    const n = 50 * 40;
    const rgb = new Uint8Array(n * 3);
    for (let i = 0; i < n; i++) {
      rgb[i * 3] = em[0].data[i];
      rgb[i * 3 + 1] = em[1].data[i];
      rgb[i * 3 + 2] = 255 - em[2].data[i];
    }
    for (const planar of [false, true]) {
      const page = only(encodeTiff([{ width: 50, height: 40, channels: 3, data: rgb }], { planar, predictor: true }));
      expect(page.channels).toBe(3);
      expect(page.data).toEqual(rgb);
    }
  });

  it('reads a TIFF written by utif2 (an independent big-endian RGBA writer)', () => {
    const rgba = new Uint8Array(61 * 37 * 4);
    for (let i = 0; i < 61 * 37; i++) rgba.set([nuclei!.data[i], 255 - nuclei!.data[i], i & 255, 200], i * 4);
    const page = only(new Uint8Array(UTIF.encodeImage(rgba, 61, 37)));
    expect(page).toMatchObject({ width: 61, height: 37, channels: 4, bitDepth: 8 });
    expect(page.data).toEqual(rgba);
  });

  it('agrees with utif2 (an independent decoder) on the raw bytes', () => {
    const wide = Uint16Array.from(nuclei!.data, (v) => v * 199);
    for (const [data, opts] of [
      [nuclei!.data, { compression: 'none', littleEndian: false }],
      [nuclei!.data, { compression: { code: 5, encode: lzwEncode } }],
      [wide, { compression: 'none' }],
    ] as const) {
      const file = encodeTiff([{ width: 61, height: 37, channels: 1, data }], opts);
      const ifd = UTIF.decode(file.slice().buffer)[0];
      UTIF.decodeImage(file.slice().buffer, ifd);
      const theirs = data instanceof Uint16Array ? new Uint16Array(ifd.data.slice().buffer) : ifd.data;
      expect(theirs).toEqual(only(file).data);
    }
  });
});

describe('decodeImage on bad files', () => {
  const expectError = (bytes: Uint8Array, name: string, code: string, pattern: RegExp): void => {
    let caught: unknown;
    try {
      decodeImage(bytes, name);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ImageDecodeError);
    expect((caught as ImageDecodeError).code).toBe(code);
    expect((caught as ImageDecodeError).message).toMatch(pattern);
    expect((caught as ImageDecodeError).message).toContain(name);
  };
  const png = encodePng({ width: 40, height: 30, data: new Uint8Array(1200).map((_, i) => i * 7), depth: 8, channels: 1 });

  it('zero bytes', () => expectError(new Uint8Array(0), 'empty.png', 'empty', /empty \(0 bytes\)/));
  it('truncated PNG', () => {
    expectError(png.subarray(0, png.length - 20), 'cut.png', 'truncated', /truncated PNG/);
    expectError(png.subarray(0, 20), 'cut2.png', 'truncated', /truncated PNG/);
  });
  it('damaged PNG data (not truncated)', () => {
    const bad = png.slice();
    const idat = [...bad.keys()].find((i) => String.fromCharCode(...bad.subarray(i, i + 4)) === 'IDAT')!;
    bad.fill(0x55, idat + 6, idat + 30);
    expectError(bad, 'bad.png', 'corrupt', /damaged PNG/);
  });
  it('a text file renamed .tif', () => {
    const text = new TextEncoder().encode('Hello, this is not an image\n');
    expectError(text, 'notes.tif', 'unknown-format', /not a TIFF\/PNG.*starts with "Hello, this is n/);
  });
  it('truncated TIFF', () => {
    const tif = encodeTiff([{ width: 40, height: 30, channels: 1, data: new Uint8Array(1200).fill(9) }], { compression: 'none' });
    // The IFD follows the pixel data, so cut inside the data with the header kept: the offsets point past the end.
    expectError(tif.subarray(0, 600), 'cut.tif', 'truncated', /truncated TIFF/);
  });
  it('unsupported bit depth and damaged compressed data', () => {
    const tif = encodeTiff([{ width: 4, height: 4, channels: 1, data: new Uint8Array(16) }], { compression: 'none' });
    const bad = tif.slice();
    const view = new DataView(bad.buffer);
    const ifd = view.getUint32(4, true);
    for (let e = 0; e < view.getUint16(ifd, true); e++) {
      const p = ifd + 2 + e * 12;
      if (view.getUint16(p, true) === 258) view.setUint16(p + 8, 12, true);
    }
    expectError(bad, 'odd.tif', 'unsupported', /12-bit unsigned samples are not supported/);
    const z = encodeTiff([{ width: 40, height: 30, channels: 1, data: new Uint8Array(1200).map((_, i) => i) }]);
    const broken = z.slice();
    broken.fill(0xff, 8, 30); // inside the zlib stream of the only strip
    expectError(broken, 'z.tif', 'corrupt', /compressed data is damaged/);
  });
  it('decodes from a view into a larger buffer (byteOffset != 0)', () => {
    const tif = encodeTiff([{ width: 40, height: 30, channels: 1, data: new Uint16Array(1200).map((_, i) => i * 50) }]);
    for (const file of [png, tif]) {
      const padded = new Uint8Array(file.length + 13);
      padded.set(file, 13);
      expect(decodeImage(padded.subarray(13), 'v').pages[0].data).toEqual(decodeImage(file, 'f').pages[0].data);
    }
  });
  it('JPEG is left to the browser with a typed error', () => {
    expectError(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16]), 'a.jpg', 'needs-browser-decoder', /JPEG/);
    expect(sniffFormat(png)).toBe('png');
  });
});

describe('PNG variants and rasterFromRgba', () => {
  it('drops alpha from grey+alpha, keeps RGBA, expands a palette', () => {
    const ga = only(encodePng({ width: 2, height: 1, data: new Uint8Array([10, 255, 20, 0]), depth: 8, channels: 2 }), 'ga.png');
    expect([...ga.data]).toEqual([10, 20]);
    const rgba = only(encodePng({ width: 1, height: 1, data: new Uint8Array([1, 2, 3, 4]), depth: 8, channels: 4 }), 'c.png');
    expect(rgba.channels).toBe(4);
    const pal = encodePng({ width: 2, height: 1, data: new Uint8Array([1, 0]), depth: 8, channels: 1, palette: [[9, 8, 7], [200, 100, 50]] });
    expect([...only(pal, 'p.png').data]).toEqual([200, 100, 50, 9, 8, 7]);
    expect([...decodeImage(pal, 'p.png', { keepPaletteIndices: true }).pages[0].data]).toEqual([1, 0]);
  });
  it('makes the smallest faithful raster from canvas RGBA', () => {
    expect(rasterFromRgba(2, 1, new Uint8Array([5, 5, 5, 255, 9, 9, 9, 255])).channels).toBe(1);
    const rgb = rasterFromRgba(2, 1, new Uint8Array([5, 6, 5, 255, 9, 9, 9, 255]));
    expect([rgb.channels, ...rgb.data]).toEqual([3, 5, 6, 5, 9, 9, 9]);
  });
});
