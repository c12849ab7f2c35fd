import { describe, expect, it } from 'vitest';
import { decodeImage } from './decode';
import { encodeLabels, encodeLabelsPng, encodeMaskPng, encodeProbabilityPng, encodeRgbaPng } from './encode';

const decodeOne = (bytes: Uint8Array, name: string) => decodeImage(bytes, name).pages[0];

describe('encoders', () => {
  it('mask PNG is 8-bit 0/255', () => {
    const img = decodeOne(encodeMaskPng(new Uint32Array([0, 3, 0, 70000, 1, 0]), 3, 2), 'm.png');
    expect(img).toMatchObject({ width: 3, height: 2, bitDepth: 8, channels: 1 });
    expect([...img.data]).toEqual([0, 255, 0, 255, 255, 0]);
  });

  it('labels up to 65535 are a 16-bit PNG; beyond, a 32-bit TIFF with exact ids', () => {
    const small = new Uint32Array([0, 1, 65535, 300]);
    const png = encodeLabels(small, 2, 2);
    expect(png.extension).toBe('png');
    const back = decodeOne(png.bytes, 'l.png');
    expect(back.bitDepth).toBe(16);
    expect([...back.data]).toEqual([...small]);
    const big = Uint32Array.from({ length: 300 * 250 }, (_, i) => i); // 74999 ids
    const tif = encodeLabels(big, 300, 250);
    expect(tif.extension).toBe('tif');
    const t = decodeOne(tif.bytes, 'l.tif');
    expect(t).toMatchObject({ width: 300, height: 250, bitDepth: 32 });
    let same = true;
    for (let i = 0; i < big.length; i++) if (t.data[i] !== big[i]) same = false;
    expect(same).toBe(true);
    expect(() => encodeLabelsPng(new Uint32Array([70000]), 1, 1)).toThrow(/does not fit a 16-bit PNG/);
  });

  it('probability PNG is round(clamp(p) * 255), NaN -> 0', () => {
    const img = decodeOne(encodeProbabilityPng(new Float32Array([0, 0.5, 1, 1.7, -0.2, NaN]), 6, 1), 'p.png');
    expect([...img.data]).toEqual([0, 128, 255, 255, 0, 0]);
  });

  it('RGBA PNG round-trips and sizes are checked', () => {
    const rgba = new Uint8Array([1, 2, 3, 255, 4, 5, 6, 128]);
    const img = decodeOne(encodeRgbaPng(rgba, 2, 1), 'c.png');
    expect([img.channels, ...img.data]).toEqual([4, ...rgba]);
    expect(() => encodeMaskPng(new Uint8Array(5), 2, 2)).toThrow(/expected 2x2x1/);
  });
});
