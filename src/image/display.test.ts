import { describe, expect, it } from 'vitest';
import { autoRange, dataRange, renderToRgba, typeRange } from './display';
import type { RasterImage } from './types';

const grey16: RasterImage = { width: 4, height: 1, channels: 1, bitDepth: 16, data: new Uint16Array([1000, 2000, 3000, 60000]) };

describe('display', () => {
  it('maps the range linearly to 0..255, clamps outside, inverts', () => {
    const out = renderToRgba(grey16, { range: { min: 1000, max: 3000 } });
    expect([out[0], out[4], out[8], out[12], out[15]]).toEqual([0, 128, 255, 255, 255]);
    const inv = renderToRgba(grey16, { range: { min: 1000, max: 3000 }, invert: true });
    expect([inv[0], inv[4], inv[8]]).toEqual([255, 127, 0]);
  });

  it('renders float images and RGB channels', () => {
    const f: RasterImage = { width: 2, height: 1, channels: 1, bitDepth: 32, data: new Float32Array([-1, 0.5]) };
    const out = renderToRgba(f, { range: { min: -1, max: 1 } });
    expect([out[0], out[4]]).toEqual([0, 191]);
    const rgb: RasterImage = { width: 1, height: 1, channels: 3, bitDepth: 8, data: new Uint8Array([10, 100, 250]) };
    expect([...renderToRgba(rgb, { range: { min: 0, max: 255 } })]).toEqual([10, 100, 250, 255]);
    expect([...renderToRgba(rgb, { range: { min: 0, max: 255 }, channel: 1 })]).toEqual([100, 100, 100, 255]);
    expect([...renderToRgba(rgb, { range: { min: 0, max: 255 }, channel: 'mean' })]).toEqual([120, 120, 120, 255]);
  });

  it('auto range ignores outliers; data and type ranges', () => {
    const data = new Uint16Array(10000).map((_, i) => 100 + (i % 100));
    data[5] = 65000; // one hot pixel
    const img: RasterImage = { width: 100, height: 100, channels: 1, bitDepth: 16, data };
    const auto = autoRange(img);
    expect(auto.min).toBeGreaterThanOrEqual(100);
    expect(auto.max).toBeLessThan(200);
    expect(dataRange(img)).toEqual({ min: 100, max: 65000 });
    expect(typeRange(img)).toEqual({ min: 0, max: 65535 });
    const flat: RasterImage = { width: 2, height: 1, channels: 1, bitDepth: 8, data: new Uint8Array([7, 7]) };
    expect(autoRange(flat)).toEqual({ min: 7, max: 8 });
  });
});
