import { describe, expect, it } from 'vitest';
import { atObjectScale, defaultPostProcessing, objectsFromProbability, parsePostProcessing, validatePostProcessing } from './postProcessing';

describe('PostProcessing settings', () => {
  it('fills missing fields from the defaults of the kind', () => {
    expect(parsePostProcessing(undefined, 'cells')).toEqual(defaultPostProcessing('cells'));
    expect(parsePostProcessing({ threshold: 0.3 }, 'foreground')).toEqual({ ...defaultPostProcessing('foreground'), threshold: 0.3 });
    // The record's own kind wins over the caller's.
    expect(parsePostProcessing({ objects: 'cells' }, 'foreground')).toEqual(defaultPostProcessing('cells'));
  });

  it('names the bad field and what it accepts', () => {
    expect(() => parsePostProcessing({ threshold: 2 }, 'foreground')).toThrow(/threshold must be in \[0, 1\], got 2/);
    expect(() => parsePostProcessing({ split: 'magic' }, 'foreground')).toThrow(/split must be 'none' or 'watershed'/);
    expect(() => parsePostProcessing({ minSize: 2.5 }, 'foreground')).toThrow(/minSize must be an integer/);
    expect(() => parsePostProcessing({ connectivity: 6 }, 'foreground')).toThrow(/connectivity must be 4 or 8/);
    expect(() => parsePostProcessing({ objects: 'blobs' }, 'foreground')).toThrow(/objects must be 'foreground' or 'cells'/);
    expect(() => parsePostProcessing([], 'foreground')).toThrow(/must be an object/);
    expect(() => validatePostProcessing({ ...defaultPostProcessing('cells'), h: NaN })).toThrow(/h must be a number/);
  });

  it('checks the probability map size', () => {
    expect(() => objectsFromProbability(new Float32Array(5), 2, 2, defaultPostProcessing('foreground'))).toThrow(/probability has 5 values/);
  });
});

/** Probability 1 in two touching discs (radius 8k, centres 14k apart) and a (3k)² speck, 0 elsewhere; k = 1 or 2. */
function touchingDiscsAndSpeck(k: number): { data: Float32Array; width: number; height: number } {
  const width = 60 * k;
  const height = 40 * k;
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const px = (x + 0.5) / k;
      const py = (y + 0.5) / k;
      const inDisc = [13, 27].some((cx) => (px - cx) ** 2 + (py - 20) ** 2 <= 64);
      const inSpeck = px >= 48 && px < 51 && py >= 5 && py < 8;
      data[y * width + x] = inDisc || inSpeck ? 1 : 0;
    }
  }
  return { data, width, height };
}

describe('atObjectScale', () => {
  const nuclei = { ...defaultPostProcessing('foreground'), smoothing: 1, h: 1, minSize: 15, maxHoleSize: 8 };

  it('converts the pixel settings from the model to an image segmented at a scale', () => {
    expect(atObjectScale(nuclei, 1)).toBe(nuclei);
    // Shrunk 2x for the model: σ and h twice, sizes four times as many pixels of the original.
    expect(atObjectScale(nuclei, 0.5)).toEqual({ ...nuclei, smoothing: 2, h: 2, minSize: 60, maxHoleSize: 32 });
    expect(atObjectScale(nuclei, 2)).toEqual({ ...nuclei, smoothing: 0.5, h: 0.5, minSize: 4, maxHoleSize: 2 });
    // Threshold, connectivity and the kind never change; the h of cells is a probability, not pixels.
    const cells = defaultPostProcessing('cells');
    expect(atObjectScale(cells, 0.5)).toEqual({ ...cells, smoothing: 6, minSize: 200 });
    expect(atObjectScale({ ...nuclei, smoothing: 30 }, 0.25).smoothing).toBe(50);
    expect(() => atObjectScale(nuclei, 0)).toThrow(/positive/);
    expect(() => atObjectScale(nuclei, Number.NaN)).toThrow(/positive/);
  });

  it('gives an image drawn twice as large the objects of the original', () => {
    const small = touchingDiscsAndSpeck(1);
    const large = touchingDiscsAndSpeck(2);
    // At the model's size: the touching discs are split, the 9-px speck is under the minimum size.
    expect(objectsFromProbability(small.data, small.width, small.height, nuclei).count).toBe(2);
    // Twice as large (segmented at scale 0.5): the same two objects with the converted settings...
    expect(objectsFromProbability(large.data, large.width, large.height, atObjectScale(nuclei, 0.5)).count).toBe(2);
    // ...while the model's numbers taken as pixels of the large image keep the speck (36 px) as an object.
    expect(objectsFromProbability(large.data, large.width, large.height, nuclei).count).toBe(3);
  });
});
