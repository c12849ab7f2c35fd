import { describe, expect, it } from 'vitest';
import { createSpeedMemory, estimateRemainingMs, formatDuration } from './eta';

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

  it('has an ETA for single-tile images: per-image time of the finished ones, less what the current one has run', () => {
    // Two 100-px images took 400 ms; the third (100 px) has run 150 ms with no tile done; 200 px wait.
    expect(estimateRemainingMs({ donePixels: 200, doneMs: 400, currentPixels: 100, currentFraction: 0, currentMs: 150, pendingPixels: 200 })).toBeCloseTo(50 + 400);
    // Running over its expected time does not make the ETA negative.
    expect(estimateRemainingMs({ donePixels: 100, doneMs: 100, currentPixels: 100, currentFraction: 0, currentMs: 500, pendingPixels: 0 })).toBe(0);
  });

  it('uses an earlier run\'s speed before this run has measured anything', () => {
    expect(estimateRemainingMs({ donePixels: 0, doneMs: 0, currentPixels: 100, currentFraction: 0, currentMs: 0, pendingPixels: 300, priorMsPerPixel: 2 })).toBeCloseTo(800);
    // Once an image is done, the run's own speed wins over the prior.
    expect(estimateRemainingMs({ donePixels: 100, doneMs: 50, currentPixels: 100, currentFraction: 0, currentMs: 0, pendingPixels: 0, priorMsPerPixel: 2 })).toBeCloseTo(50);
  });

  it('remembers speeds per model and scales them to another model by FLOPs per pixel', () => {
    const memory = createSpeedMemory();
    expect(memory.msPerPixel('nuclei', 80_000)).toBeNull();
    memory.record('nuclei', 1000, 500_000, 80_000);
    expect(memory.msPerPixel('nuclei', 80_000)).toBeCloseTo(0.002);
    // A model with 1.5x the FLOPs per pixel is expected to take 1.5x as long per pixel.
    expect(memory.msPerPixel('em-membranes', 120_000)).toBeCloseTo(0.003);
    // Without FLOPs there is no basis for another model.
    expect(memory.msPerPixel('em-membranes', null)).toBeNull();
  });

  it('formats durations for people', () => {
    expect(formatDuration(2400)).toBe('2 s');
    expect(formatDuration(80_000)).toBe('1 min 20 s');
    expect(formatDuration(7_500_000)).toBe('2 h 5 min');
  });
});
