import { describe, expect, it } from 'vitest';
import { plotColumns } from './plotData';

describe('plot columns', () => {
  it('aligns training steps and validation points (step 0 first) with gaps where a series has no value', () => {
    const point = (step: number, loss: number, iou: number) => ({ step, loss, foregroundIou: iou, pixelAccuracy: 0.9, pixels: 10, best: false });
    const columns = plotColumns({
      step: [1, 2, 3],
      loss: [0.9, 0.7, 0.8],
      smoothed: [0.9, 0.85, 0.83],
      validation: [point(0, 0.6, 0.4), point(2, 0.5, 0.55)],
    });
    expect(columns[0]).toEqual([0, 1, 2, 3]);
    expect(columns[1]).toEqual([null, 0.9, 0.7, 0.8]);
    expect(columns[2]).toEqual([null, 0.9, 0.85, 0.83]);
    expect(columns[3]).toEqual([0.6, null, 0.5, null]);
    expect(columns[4]).toEqual([0.4, null, 0.55, null]);
  });

  it('is empty before the first event', () => {
    expect(plotColumns({ step: [], loss: [], smoothed: [], validation: [] })).toEqual([[], [], [], [], []]);
  });
});
