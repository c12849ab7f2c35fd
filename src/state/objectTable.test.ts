import { describe, expect, it } from 'vitest';
import type { ObjectMeasurement } from '../image/measure';
import { pageOf, sortMeasurements } from './objectTable';

const row = (id: number, area: number, meanIntensity: number): ObjectMeasurement => ({
  id, area, centroidX: 0, centroidY: 0, bboxX: 0, bboxY: 0, bboxWidth: 1, bboxHeight: 1,
  meanIntensity, minIntensity: meanIntensity, maxIntensity: meanIntensity, eccentricity: 0, perimeter: 0,
});

describe('measurement table', () => {
  const rows = [row(1, 30, 5), row(2, 10, 7), row(3, 30, 1), row(4, 20, NaN)];

  it('sorts by any column both ways, ties by id, missing intensities last', () => {
    expect(sortMeasurements(rows, { column: 'area', descending: false }).map((r) => r.id)).toEqual([2, 4, 1, 3]);
    expect(sortMeasurements(rows, { column: 'area', descending: true }).map((r) => r.id)).toEqual([1, 3, 4, 2]);
    expect(sortMeasurements(rows, { column: 'meanIntensity', descending: false }).map((r) => r.id)).toEqual([3, 1, 2, 4]);
    expect(sortMeasurements(rows, { column: 'meanIntensity', descending: true }).map((r) => r.id)).toEqual([2, 1, 3, 4]);
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3, 4]);
  });

  it('pages rows and clamps the page', () => {
    const many = Array.from({ length: 2501 }, (_, i) => i);
    expect(pageOf(many, 0, 100)).toMatchObject({ page: 0, pages: 26 });
    expect(pageOf(many, 25, 100).rows).toEqual([2500]);
    expect(pageOf(many, 99, 100).page).toBe(25);
    expect(pageOf([], 3, 100)).toEqual({ rows: [], page: 0, pages: 1 });
  });
});
