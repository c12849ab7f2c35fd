import { describe, expect, it } from 'vitest';
import { groundTruthProblem, guessTruthFormat, scoreProbabilities, truthMembrane } from './evaluation';
import { plainPostProcessing } from './postProcessing';
import type { RasterImage } from './types';

const raster = (width: number, height: number, values: ArrayLike<number>): RasterImage => ({ width, height, channels: 1, bitDepth: 16, data: Uint16Array.from(values) });

describe('ground truth', () => {
  it('two values read as binary, more as instance', () => {
    expect(guessTruthFormat(raster(3, 1, [0, 255, 0]))).toBe('binary');
    expect(guessTruthFormat(raster(3, 1, [0, 1, 2]))).toBe('instance');
    expect(guessTruthFormat(raster(3, 1, [7, 7, 7]))).toBe('binary');
  });

  it('names what is wrong with unusable labels', () => {
    expect(groundTruthProblem(raster(2, 2, [0, 1, 0, 0]), 3, 2, 'nuclei', 'binary', 0)).toBe('the ground truth is 2x2 but the image is 3x2');
    expect(groundTruthProblem(raster(2, 2, [0, 0, 0, 0]), 2, 2, 'nuclei', 'instance', 0)).toMatch(/no foreground/);
    expect(groundTruthProblem(raster(2, 2, [0, 3, 0, 0]), 2, 2, 'nuclei', 'instance', 0)).toBeNull();
    // ISBI membranes are 0: a 0/255 image without any 0 has no membrane; all 0 has no cell.
    expect(groundTruthProblem(raster(2, 2, [255, 255, 255, 255]), 2, 2, 'membranes', 'binary', 0)).toMatch(/no pixel has the membrane value 0/);
    expect(groundTruthProblem(raster(2, 2, [0, 0, 0, 0]), 2, 2, 'membranes', 'binary', 0)).toMatch(/all membrane/);
    const fractional: RasterImage = { width: 2, height: 1, channels: 1, bitDepth: 32, data: Float32Array.from([0, 0.5]) };
    expect(groundTruthProblem(fractional, 2, 1, 'nuclei', 'instance', 0)).toMatch(/fractional/);
  });

  it('instance membranes: id 0 and the seam between touching cells are membrane', () => {
    // Cells 1 | 2 side by side on a row, then background.
    const m = truthMembrane(raster(5, 1, [1, 1, 2, 2, 0]), 'instance', 0);
    expect([...m]).toEqual([0, 0, 1, 0, 1]);
  });

  it('scores nuclei from binary truth by its 4-connected pieces', () => {
    // Two separate 2-px objects in the truth; the prediction finds the first only.
    const truth = raster(6, 1, [255, 255, 0, 0, 255, 255]);
    const p = Float32Array.from([1, 1, 0, 0, 0, 0]);
    const m = scoreProbabilities(p, truth, { task: 'nuclei', labelsFormat: 'binary', membraneValue: 0, postProcessing: plainPostProcessing('foreground') });
    expect(m.iou).toBeCloseTo(2 / 4);
    expect(m.ap).toBeCloseTo(1 / 2);
    expect(m.recall).toBeCloseTo(1 / 2);
  });
});
