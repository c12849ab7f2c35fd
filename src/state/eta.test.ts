import { describe, expect, it } from 'vitest';
import { estimateRemainingMs, formatDuration } from './eta';

describe('segmentation ETA', () => {
  it('is unknown before anything is measured', () => {
    expect(estimateRemainingMs({ donePixels: 0, doneMs: 0, currentPixels: 100, currentFraction: 0, currentMs: 0, pendingPixels: 100 })).toBeNull();
  });

  it('extrapolates the throughput of the run to the remaining pixels', () => {
    // Half of a 100-px image took 50 ms: 1 ms/px; 50 px of it and 300 px pending remain.
    expect(estimateRemainingMs({ donePixels: 0, doneMs: 0, currentPixels: 100, currentFraction: 0.5, currentMs: 50, pendingPixels: 300 })).toBeCloseTo(350);
    // Finished images count too: 200 px in 100 ms, plus the current image's first quarter.
    expect(estimateRemainingMs({ donePixels: 200, doneMs: 100, currentPixels: 400, currentFraction: 0.25, currentMs: 50, pendingPixels: 0 })).toBeCloseTo(150);
  });

  it('formats durations for people', () => {
    expect(formatDuration(2400)).toBe('2 s');
    expect(formatDuration(80_000)).toBe('1 min 20 s');
    expect(formatDuration(7_500_000)).toBe('2 h 5 min');
  });
});
