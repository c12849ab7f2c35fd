import { describe, expect, it } from 'vitest';
import { maskEquals, maskFromProbability, maskNonzero, toLabelIds, toPartialLabels } from './masks';
import type { RasterImage } from './types';

const img = (data: RasterImage['data'], channels: 1 | 3 = 1): RasterImage => ({
  width: data.length / channels, height: 1, channels, bitDepth: data instanceof Float32Array ? 32 : data instanceof Uint16Array ? 16 : 8, data,
});

describe('masks', () => {
  it('reads label ids from 16-bit and float images', () => {
    expect([...toLabelIds(img(new Uint16Array([0, 7, 65535])))]).toEqual([0, 7, 65535]);
    expect([...toLabelIds(img(new Float32Array([70000.2, -3, NaN, 2.6])))]).toEqual([70000, 0, 0, 3]);
  });
  it('membrane value and nonzero masks', () => {
    const isbi = img(new Uint8Array([0, 255, 255, 0]));
    expect([...maskEquals(isbi, 0)]).toEqual([1, 0, 0, 1]);
    expect([...maskNonzero(isbi)]).toEqual([0, 1, 1, 0]);
    expect([...maskNonzero(img(new Uint8Array([0, 0, 9, 1, 2, 0]), 3), 2)]).toEqual([1, 0]);
    expect(() => maskNonzero(isbi, 1)).toThrow(/channel 1 does not exist/);
    expect([...maskFromProbability([0.49, 0.5, 0.9])]).toEqual([0, 1, 1]);
  });
  it('partial labels must be 0/1/2', () => {
    expect([...toPartialLabels(img(new Uint8Array([0, 1, 2])))]).toEqual([0, 1, 2]);
    expect(() => toPartialLabels(img(new Uint8Array([0, 255])), 'a.png')).toThrow(/a.png: value 255 at pixel 1 is not a partial label/);
  });
});
