import { describe, expect, it } from 'vitest';
import { measureObjects, measurementsCsv } from './measure';

// 6 x 5 labels: a 3 x 3 square (1), a vertical 1 x 4 line (2), a single pixel (3).
const W = 6;
const H = 5;
// prettier-ignore
const LABELS = [
  0, 1, 1, 1, 0, 0,
  0, 1, 1, 1, 0, 2,
  0, 1, 1, 1, 0, 2,
  0, 0, 0, 0, 0, 2,
  3, 0, 0, 0, 0, 2,
];
const INTENSITY = LABELS.map((_, i) => (i % W) + 10 * Math.floor(i / W));

describe('measureObjects', () => {
  it('matches hand-computed values', () => {
    const rows = measureObjects(LABELS, W, H, INTENSITY);
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3]);
    const [square, line, dot] = rows;
    // Square: pixels x 1..3, y 0..2; centres x + 0.5; intensity x + 10y.
    expect(square).toMatchObject({ area: 9, centroidX: 2.5, centroidY: 1.5, bboxX: 1, bboxY: 0, bboxWidth: 3, bboxHeight: 3 });
    expect(square).toMatchObject({ meanIntensity: 12, minIntensity: 1, maxIntensity: 23, eccentricity: 0, perimeter: 8 });
    // Line: x = 5, y 1..4; the boundary walk goes down 3 steps and back up 3.
    expect(line).toMatchObject({ area: 4, centroidX: 5.5, centroidY: 3, bboxX: 5, bboxY: 1, bboxWidth: 1, bboxHeight: 4 });
    expect(line).toMatchObject({ meanIntensity: 30, minIntensity: 15, maxIntensity: 45, eccentricity: 1, perimeter: 6 });
    expect(dot).toMatchObject({ area: 1, centroidX: 0.5, centroidY: 4.5, bboxWidth: 1, bboxHeight: 1, meanIntensity: 40, eccentricity: 0, perimeter: 0 });
  });

  it('eccentricity of a 4 x 2 rectangle is √(1 − 0.25/1.25), perimeter of a plus is 4√2', () => {
    const rect = [1, 1, 1, 1, 1, 1, 1, 1];
    const [r] = measureObjects(rect, 4, 2);
    expect(r.eccentricity).toBeCloseTo(Math.sqrt(0.8), 12);
    expect(r.perimeter).toBe(8); // 3 right, 1 down, 3 left, 1 up
    expect(r.meanIntensity).toBeNaN();
    const plus = [0, 7, 0, 7, 7, 7, 0, 7, 0];
    const [p] = measureObjects(plus, 3, 3);
    expect(p.id).toBe(7);
    expect(p.perimeter).toBeCloseTo(4 * Math.SQRT2, 12);
    expect(p.eccentricity).toBe(0);
    const diagonal = [1, 0, 0, 0, 1, 0, 0, 0, 1];
    const [d] = measureObjects(diagonal, 3, 3);
    expect(d.perimeter).toBeCloseTo(4 * Math.SQRT2, 12);
    expect(d.eccentricity).toBeCloseTo(1, 12);
  });

  it('writes the table as CSV with a header row', () => {
    const csv = measurementsCsv(measureObjects(LABELS, W, H, INTENSITY));
    expect(csv.split('\n')).toEqual([
      'id,area,centroid_x,centroid_y,bbox_x,bbox_y,bbox_width,bbox_height,mean_intensity,min_intensity,max_intensity,eccentricity,perimeter',
      '1,9,2.5,1.5,1,0,3,3,12,1,23,0,8',
      '2,4,5.5,3,5,1,1,4,30,15,45,1,6',
      '3,1,0.5,4.5,0,4,1,1,40,40,40,0,0',
      '',
    ]);
    expect(measurementsCsv(measureObjects([1, 1, 0, 0], 2, 2)).split('\n')[1]).toBe('1,2,1,0.5,0,0,2,1,,,,1,2');
  });

  it('says which array has the wrong size', () => {
    expect(() => measureObjects([1, 2, 3], 2, 2)).toThrow(/labels has 3 values/);
    expect(() => measureObjects([1, 2, 3, 4], 2, 2, [1])).toThrow(/intensity has 1 values/);
  });
});
