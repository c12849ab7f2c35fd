import { describe, expect, it } from 'vitest';
import { defaultPostProcessing, plainPostProcessing } from '../src/image/postProcessing';
import type { RasterImage } from '../src/image/types';
import { meanMetrics, scoreProbabilities } from './evaluate';
import type { ScoreOptions } from './evaluate';

const W = 12;
const H = 8;

/** Instance raster with axis-aligned rectangles [x0, x1) x [y0, y1) numbered from 1. */
function instances(rects: [number, number, number, number][]): RasterImage {
  const data = new Uint16Array(W * H);
  rects.forEach(([x0, y0, x1, y1], k) => {
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data[y * W + x] = k + 1;
  });
  return { width: W, height: H, channels: 1, bitDepth: 16, data };
}

/** Probability 1 inside the rectangles, 0 elsewhere. */
function prob(rects: [number, number, number, number][]): Float32Array {
  const p = new Float32Array(W * H);
  for (const [x0, y0, x1, y1] of rects) for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) p[y * W + x] = 1;
  return p;
}

const nuclei: ScoreOptions = { task: 'nuclei', labelsFormat: 'instance', membraneValue: 0, postProcessing: plainPostProcessing('foreground') };

describe('scoreProbabilities (nuclei)', () => {
  const a: [number, number, number, number] = [1, 1, 5, 5];
  const b: [number, number, number, number] = [7, 2, 11, 6];

  it('scores a perfect prediction 1 / 0', () => {
    const m = scoreProbabilities(prob([a, b]), instances([a, b]), nuclei);
    expect(m).toMatchObject({ iou: 1, dice: 1, pixelError: 0, ap: 1, f1: 1 });
  });

  it('scores an empty prediction 0 with the foreground fraction as pixel error', () => {
    const m = scoreProbabilities(prob([]), instances([a, b]), nuclei);
    expect(m).toMatchObject({ iou: 0, dice: 0, ap: 0, f1: 0, recall: 0 });
    expect(m.pixelError).toBeCloseTo(32 / 96, 10);
  });

  it('counts a 1-px shift as a match (IoU 12/20) and a 2-px shift as a miss (8/24)', () => {
    const one = scoreProbabilities(prob([[2, 1, 6, 5]]), instances([a]), nuclei);
    expect(one.iou).toBeCloseTo(12 / 20, 10);
    expect(one).toMatchObject({ ap: 1, f1: 1 });
    const two = scoreProbabilities(prob([[3, 1, 7, 5]]), instances([a]), nuclei);
    expect(two.iou).toBeCloseTo(8 / 24, 10);
    // One false positive and one false negative: AP = 0 / (0 + 1 + 1).
    expect(two).toMatchObject({ ap: 0, f1: 0 });
  });

  it('penalises two touching nuclei predicted as one object', () => {
    const left: [number, number, number, number] = [1, 1, 5, 5];
    const right: [number, number, number, number] = [5, 1, 9, 5];
    const m = scoreProbabilities(prob([[1, 1, 9, 5]]), instances([left, right]), nuclei);
    expect(m.iou).toBe(1);
    // The merged blob overlaps each nucleus with IoU exactly 0.5 (not > 0.5): 0 TP, 1 FP, 2 FN.
    expect(m).toMatchObject({ ap: 0, f1: 0, precision: 0, recall: 0 });
  });

  it('reads binary truth as connected components', () => {
    const bin = instances([a, b]);
    const data = new Uint8Array(W * H).map((_, i) => (bin.data[i] ? 255 : 0));
    const m = scoreProbabilities(prob([a]), { ...bin, bitDepth: 8, data }, { ...nuclei, labelsFormat: 'binary' });
    // One of two nuclei found: AP = 1 / (1 + 0 + 1).
    expect(m.ap).toBeCloseTo(0.5, 10);
    expect(m.recall).toBeCloseTo(0.5, 10);
  });
});

describe('scoreProbabilities (membranes)', () => {
  const options: ScoreOptions = { task: 'membranes', labelsFormat: 'binary', membraneValue: 0, postProcessing: plainPostProcessing('cells') };
  // A vertical membrane (value 0) at x = 5 splits two cells (255).
  const truth: RasterImage = {
    width: W,
    height: H,
    channels: 1,
    bitDepth: 8,
    data: new Uint8Array(W * H).map((_, i) => (i % W === 5 ? 0 : 255)),
  };

  it('scores a perfect membrane map with zero pixel and Rand error', () => {
    const p = new Float32Array(W * H).map((_, i) => (i % W === 5 ? 1 : 0));
    const m = scoreProbabilities(p, truth, options);
    expect(m).toMatchObject({ pixelError: 0, randError: 0, maskRandError: 0, iou: 1 });
  });

  it('charges a missing membrane (merged cells) in both pixel and Rand error', () => {
    const m = scoreProbabilities(new Float32Array(W * H), truth, options);
    expect(m.pixelError).toBeCloseTo(8 / 96, 10);
    expect(m.randError).toBeGreaterThan(0.3);
  });
});

describe('scoreProbabilities with the default post-processing', () => {
  it('counts two touching round nuclei as two objects where connected components see one', () => {
    // Equal discs (r = 10) 21 px apart touch at one pixel pair: the merged blob has IoU exactly 1/2 with each.
    const w = 48;
    const h = 24;
    const truth = new Uint16Array(w * h);
    const p = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const k = (x - 14) ** 2 + (y - 12) ** 2 <= 100 ? 1 : (x - 35) ** 2 + (y - 12) ** 2 <= 100 ? 2 : 0;
        truth[y * w + x] = k;
        p[y * w + x] = k ? 0.9 : 0.05;
      }
    }
    const raster: RasterImage = { width: w, height: h, channels: 1, bitDepth: 16, data: truth };
    const plain = scoreProbabilities(p, raster, nuclei);
    expect(plain).toMatchObject({ ap: 0, recall: 0 });
    const split = scoreProbabilities(p, raster, { ...nuclei, postProcessing: defaultPostProcessing('foreground') });
    expect(split).toMatchObject({ ap: 1, f1: 1 });
  });

  it('scores EM cells separated across a faint stretch of membrane', () => {
    // Two cells left and right of a 2-px membrane (x = 19, 20) that the model sees only faintly (p = 0.45)
    // in rows 8..11: the thresholded non-membrane joins the cells there, the watershed keeps them apart.
    const w = 40;
    const h = 20;
    const data = new Uint8Array(w * h).map((_, i) => (i % w === 19 || i % w === 20 ? 0 : 255));
    const p = new Float32Array(w * h).map((_, i) => {
      const x = i % w;
      const y = Math.floor(i / w);
      if (x !== 19 && x !== 20) return 0.02;
      return y >= 8 && y < 12 ? 0.45 : 0.95;
    });
    const raster: RasterImage = { width: w, height: h, channels: 1, bitDepth: 8, data };
    const options: ScoreOptions = { task: 'membranes', labelsFormat: 'binary', membraneValue: 0, postProcessing: defaultPostProcessing('cells') };
    const m = scoreProbabilities(p, raster, options);
    // Each true cell is one predicted cell (membrane pixels do not count): no Rand error.
    expect(m.randError).toBe(0);
    // The pieces of the thresholded map merge the two equal cells: recall 1, precision 1/2, F = 2/3.
    expect(m.maskRandError).toBeCloseTo(1 / 3, 10);
    expect(m.pixelError).toBeCloseTo(8 / (w * h), 10);
  });
});

describe('meanMetrics', () => {
  it('averages each key', () => {
    expect(meanMetrics([{ a: 1, b: 0 }, { a: 0, b: 1 }], ['a'])).toEqual({ a: 0.5 });
  });
});
