import { describe, expect, it } from 'vitest';
import { resizePlane } from '../image/resample';
import { sampleAtScale } from './fineTuneScale';
import type { FineTuneSample } from './fineTuneTypes';

function sample(width: number, height: number, labels: number[], validation?: number[]): FineTuneSample {
  const data = Float32Array.from({ length: width * height }, (_, i) => (i % 7) / 7);
  return { image: { width, height, data }, labels: Uint8Array.from(labels), ...(validation ? { validation: Uint8Array.from(validation) } : {}), name: 'x.png' };
}

describe('sampleAtScale', () => {
  it('is the sample itself at scale 1 and at any scale that keeps the size', () => {
    const s = sample(4, 2, [0, 1, 2, 0, 1, 1, 2, 2], [2, 0, 0, 1, 0, 0, 0, 0]);
    expect(sampleAtScale(s, 1)).toBe(s);
    expect(sampleAtScale(s, 1.1)).toBe(s);
  });

  it('resizes the image as segmentation does and the labels by majority, keeping training and held-out pixels apart', () => {
    // prettier-ignore
    const s = sample(4, 4, [
      1, 1, 0, 0,
      1, 0, 0, 0,
      0, 0, 2, 0,
      0, 0, 0, 0,
    ], [
      0, 0, 2, 2,
      0, 0, 2, 0,
      0, 0, 0, 0,
      1, 1, 0, 0,
    ]);
    const half = sampleAtScale(s, 0.5);
    expect(half.image).toEqual(resizePlane(s.image, 2, 2));
    // Footprints: TL training 1 (3 of 4); TR held-out 2 (3 of 4); BL a tie of held-out 1 and unlabelled;
    // BR one training pixel of 4 -> unlabelled.
    expect(Array.from(half.labels)).toEqual([1, 0, 0, 0]);
    expect(Array.from(half.validation!)).toEqual([0, 2, 1, 0]);
    expect(half.name).toBe('x.png');
  });

  it('a footprint split evenly between training and held-out labels goes to one side only', () => {
    const s = sample(2, 2, [2, 2, 0, 0], [0, 0, 2, 2]);
    const one = sampleAtScale(s, 0.5);
    expect(Array.from(one.labels)).toEqual([2]);
    expect(Array.from(one.validation!)).toEqual([0]);
  });

  it('doubles labels by nearest neighbour and reuses an image already resized', () => {
    const s = sample(2, 1, [1, 2]);
    const twice = sampleAtScale(s, 2);
    expect(twice.image.width).toBe(4);
    expect(Array.from(twice.labels)).toEqual([1, 1, 2, 2, 1, 1, 2, 2]);
    expect(twice.validation).toBeUndefined();
    expect(sampleAtScale({ ...s, labels: Uint8Array.from([2, 0]) }, 2, twice.image).image).toBe(twice.image);
  });

  it('refuses labels of the wrong size and a scale that is not a positive number', () => {
    expect(() => sampleAtScale(sample(4, 2, [1, 2]), 0.5)).toThrow('labels of x.png hold 2 values for a 4x2 image');
    expect(() => sampleAtScale(sample(2, 1, [1, 2]), 0)).toThrow('scale must be a positive number');
  });
});
