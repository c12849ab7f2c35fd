import { describe, expect, it } from 'vitest';
import { toSingleChannel } from '../image/normalize';
import type { RasterImage } from '../image/types';
import { singleChannelInSlices } from './planeSlices';

describe('the Segment input converted in slices', () => {
  it('equals toSingleChannel for 8- and 16-bit grey across slice boundaries, and for colour', async () => {
    const grey8: RasterImage = { width: 5, height: 3, channels: 1, bitDepth: 8, data: Uint8Array.from({ length: 15 }, (_, i) => (i * 53) % 256) };
    const grey16: RasterImage = { width: 4, height: 4, channels: 1, bitDepth: 16, data: Uint16Array.from({ length: 16 }, (_, i) => i * 4099) };
    const rgb: RasterImage = { width: 2, height: 2, channels: 3, bitDepth: 8, data: Uint8Array.from({ length: 12 }, (_, i) => i * 20) };
    for (const [image, choice] of [[grey8, 'mean'], [grey16, 'mean'], [rgb, 'mean'], [rgb, 1]] as const) {
      const sliced = await singleChannelInSlices(image, choice, 4);
      const whole = toSingleChannel(image, choice);
      expect([sliced.width, sliced.height]).toEqual([whole.width, whole.height]);
      expect(Array.from(sliced.data)).toEqual(Array.from(whole.data));
    }
  });
});
