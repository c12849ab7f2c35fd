import { describe, expect, it } from 'vitest';
import { instancesRgba, OUTLINE_RGB, probabilityRgba } from './overlayRgba';
import { instanceColor } from './palette';

describe('probabilityRgba', () => {
  it('is transparent at 0 and where no tile is done (NaN), opaque orange at 1, clamps outside 0..1', () => {
    const rgba = probabilityRgba(new Float32Array([0, Number.NaN, 1, 2, -1, 0.5]));
    expect(rgba[3]).toBe(0);
    expect(rgba[7]).toBe(0);
    expect([...rgba.subarray(8, 12)]).toEqual([251, 146, 60, 255]);
    expect([...rgba.subarray(12, 16)]).toEqual([251, 146, 60, 255]);
    expect(rgba[19]).toBe(0);
    // Halfway: colour between violet and orange, opacity rising faster than p (x1.4).
    expect(rgba[20]).toBeGreaterThan(109);
    expect(rgba[20]).toBeLessThan(251);
    expect(rgba[23]).toBe(Math.round(255 * (128 / 255) * 1.4));
  });
});

describe('instancesRgba', () => {
  it('fills objects in their palette colours and outlines where ids meet, not at the image border', () => {
    // 4x3: object 1 on the left two columns, object 2 on the right two; bottom-right pixel background.
    const labels = new Uint32Array([1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 0]);
    const { fill, outline } = instancesRgba(labels, 2, 4, 3);
    const at = (a: Uint8ClampedArray, i: number) => [...a.subarray(i * 4, i * 4 + 4)];
    expect(at(fill, 0)).toEqual([...instanceColor(1), 255]);
    expect(at(fill, 2)).toEqual([...instanceColor(2), 255]);
    expect(at(fill, 11)).toEqual([0, 0, 0, 0]);
    // Column 0 touches only the border: no outline; columns 1 and 2 meet: outlined.
    expect(at(outline, 0)).toEqual([0, 0, 0, 0]);
    expect(at(outline, 1)).toEqual([...OUTLINE_RGB, 255]);
    expect(at(outline, 2)).toEqual([...OUTLINE_RGB, 255]);
    expect(at(outline, 3)).toEqual([0, 0, 0, 0]);
    // Next to the background pixel.
    expect(at(outline, 7)).toEqual([...OUTLINE_RGB, 255]);
    expect(at(outline, 11)).toEqual([0, 0, 0, 0]);
  });
});
