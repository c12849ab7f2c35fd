import { describe, expect, it } from 'vitest';
import { equivalentDiameter, medianObjectDiameter, scaleForDiameter, weightedMedianDiameter } from './objectDiameter';

/** A label image of discs of radius r on a grid (spacing 3r), each its own id, plus optional specks. */
function discImage(radius: number, cols: number, rows: number, specks = 0): { labels: Uint32Array; width: number; height: number } {
  const spacing = Math.ceil(3 * radius);
  const width = cols * spacing;
  const height = rows * spacing;
  const labels = new Uint32Array(width * height);
  let id = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      id++;
      const cx = (c + 0.5) * spacing;
      const cy = (r + 0.5) * spacing;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= radius * radius) labels[y * width + x] = id;
        }
      }
    }
  }
  // Fragments: 2x3 px specks in the gaps, as a first pass at the wrong scale leaves them.
  for (let k = 0; k < specks; k++) {
    id++;
    const x0 = (k * 7) % (width - 3);
    for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 3; dx++) labels[dy * width + x0 + dx] = id;
  }
  return { labels, width, height };
}

describe('medianObjectDiameter', () => {
  it.each([4, 12, 36])('finds discs of radius %i within 15%, even with many fragments', (radius) => {
    const img = discImage(radius, 4, 3, 30);
    const d = medianObjectDiameter(img.labels, img.width, img.height);
    expect(d).toBeDefined();
    expect(Math.abs((d ?? 0) - 2 * radius) / (2 * radius)).toBeLessThan(0.15);
  });

  it('leaves out objects cut by the border while enough interior ones remain', () => {
    const width = 100;
    const height = 40;
    const labels = new Uint32Array(width * height);
    // Four interior 10x10 squares and one 17x17 (689 px), and a 600 px strip along the top edge. With the strip
    // the area-weighted median would be the 17x17 square; without it, a 10x10 one.
    for (let k = 0; k < 4; k++) for (let y = 15; y < 25; y++) for (let x = 5 + 15 * k; x < 15 + 15 * k; x++) labels[y * width + x] = k + 1;
    for (let y = 12; y < 29; y++) for (let x = 70; x < 87; x++) labels[y * width + x] = 5;
    for (let x = 0; x < width; x++) for (let y = 0; y < 6; y++) labels[y * width + x] = 9;
    expect(medianObjectDiameter(labels, width, height)).toBeCloseTo(equivalentDiameter(100), 6);
    expect(medianObjectDiameter(labels, width, height, { minInterior: 6 })).toBeCloseTo(equivalentDiameter(289), 6);
  });

  it('keeps border-cut objects when the interior holds only fragments (a small crop of large objects)', () => {
    const width = 100;
    const height = 60;
    const labels = new Uint32Array(width * height);
    // Two large objects cut by the left and right borders (40x40 visible), four 3x3 specks inside.
    for (let y = 10; y < 50; y++) for (let x = 0; x < 40; x++) labels[y * width + x] = 1;
    for (let y = 10; y < 50; y++) for (let x = 60; x < 100; x++) labels[y * width + x] = 2;
    for (let k = 0; k < 4; k++) for (let y = 20 + 6 * k; y < 23 + 6 * k; y++) for (let x = 48; x < 51; x++) labels[y * width + x] = 3 + k;
    expect(medianObjectDiameter(labels, width, height)).toBeCloseTo(equivalentDiameter(1600), 6);
  });

  it('has no answer without objects and checks the size', () => {
    expect(medianObjectDiameter(new Uint8Array(16), 4, 4)).toBeUndefined();
    expect(() => medianObjectDiameter(new Uint8Array(15), 4, 4)).toThrow(/expected 4x4/);
  });

  it('weighs objects by area', () => {
    // 10 small objects of 10 px, 2 of 100 px: 200 of 300 px are in the large ones.
    expect(weightedMedianDiameter([...Array<number>(10).fill(10), 100, 100])).toBeCloseTo(equivalentDiameter(100), 9);
    expect(weightedMedianDiameter([])).toBeUndefined();
  });
});

describe('scaleForDiameter', () => {
  it('scales to the target, skips small differences and clamps', () => {
    expect(scaleForDiameter(60, 15, { maxScale: 4 })).toBe(0.25);
    expect(scaleForDiameter(20, 15)).toBe(0.75);
    expect(scaleForDiameter(16.5, 15)).toBe(1);
    expect(scaleForDiameter(16.5, 15, { tolerance: 0.05 })).toBeCloseTo(15 / 16.5, 12);
    expect(scaleForDiameter(200, 15)).toBe(0.5);
    expect(scaleForDiameter(200, 15, { maxScale: 4 })).toBe(0.25);
    expect(scaleForDiameter(1, 15)).toBe(2);
    expect(() => scaleForDiameter(0, 15)).toThrow(/positive/);
  });
});
