import { describe, expect, it } from 'vitest';
import { binaryMetrics, instanceMetrics, membraneMetrics, nucleiMetrics, randScores } from './metrics';

/** A w x h label image with rectangles [x, y, w, h, id] painted in order. */
function rects(w: number, h: number, boxes: [number, number, number, number, number][]): Uint16Array {
  const out = new Uint16Array(w * h);
  for (const [x0, y0, bw, bh, id] of boxes) for (let y = y0; y < y0 + bh; y++) for (let x = x0; x < x0 + bw; x++) out[y * w + x] = id;
  return out;
}

describe('nuclei metrics', () => {
  const truth = rects(8, 8, [[0, 0, 2, 2, 1], [4, 4, 2, 2, 2]]);

  it('perfect prediction scores 1 everywhere, whatever the ids', () => {
    const pred = rects(8, 8, [[0, 0, 2, 2, 7], [4, 4, 2, 2, 3]]);
    expect(nucleiMetrics(pred, truth)).toMatchObject({ iou: 1, dice: 1, pixelError: 0, ap: 1, f1: 1, truePositives: 2, meanMatchedIou: 1 });
  });

  it('empty prediction: nothing found', () => {
    const m = nucleiMetrics(new Uint16Array(64), truth);
    // 8 true pixels missed of 64; 0 of 2 objects found.
    expect(m).toMatchObject({ iou: 0, dice: 0, pixelError: 8 / 64, ap: 0, f1: 0, falseNegatives: 2, falsePositives: 0 });
  });

  it('empty truth: everything predicted is false; both empty is perfect', () => {
    const pred = rects(8, 8, [[1, 1, 2, 2, 1]]);
    expect(nucleiMetrics(pred, new Uint16Array(64))).toMatchObject({ iou: 0, dice: 0, pixelError: 4 / 64, ap: 0, f1: 0, falsePositives: 1 });
    expect(nucleiMetrics(new Uint16Array(64), new Uint16Array(64))).toMatchObject({ iou: 1, dice: 1, pixelError: 0, ap: 1, f1: 1 });
  });

  it('shifted object: matched at IoU 0.6, unmatched at IoU 1/3', () => {
    const t = rects(10, 10, [[1, 1, 4, 4, 1]]);
    const by1 = nucleiMetrics(rects(10, 10, [[2, 1, 4, 4, 1]]), t);
    // overlap 3x4 = 12, union 16 + 16 - 12 = 20, differing pixels 4 + 4 = 8 of 100.
    expect(by1.iou).toBeCloseTo(12 / 20, 12);
    expect(by1.dice).toBeCloseTo(24 / 32, 12);
    expect(by1.pixelError).toBeCloseTo(8 / 100, 12);
    expect(by1).toMatchObject({ ap: 1, f1: 1, truePositives: 1 });
    expect(by1.meanMatchedIou).toBeCloseTo(0.6, 12);
    const by2 = nucleiMetrics(rects(10, 10, [[3, 1, 4, 4, 1]]), t);
    // overlap 8, union 24: IoU 1/3 <= 0.5, so one false positive and one false negative.
    expect(by2.iou).toBeCloseTo(8 / 24, 12);
    expect(by2).toMatchObject({ ap: 0, f1: 0, truePositives: 0, falsePositives: 1, falseNegatives: 1 });
  });

  it('two touching nuclei merged into one: perfect pixels, no matched instance', () => {
    const t = rects(8, 4, [[0, 0, 3, 4, 1], [3, 0, 3, 4, 2]]);
    const merged = rects(8, 4, [[0, 0, 6, 4, 1]]);
    // IoU of the merged object with either nucleus: 12 / 24 = 0.5, not > 0.5.
    expect(nucleiMetrics(merged, t)).toMatchObject({ iou: 1, pixelError: 0, ap: 0, f1: 0, falsePositives: 1, falseNegatives: 2 });
  });

  it('mixed case: 2 TP, 1 FP, 1 FN', () => {
    const t = rects(12, 4, [[0, 0, 2, 2, 1], [3, 0, 2, 2, 2], [6, 0, 2, 2, 3]]);
    const p = rects(12, 4, [[0, 0, 2, 2, 5], [3, 0, 2, 2, 6], [9, 2, 2, 2, 9]]);
    const m = instanceMetrics(p, t);
    expect(m).toMatchObject({ truePositives: 2, falsePositives: 1, falseNegatives: 1 });
    expect(m.ap).toBeCloseTo(2 / 4, 12);
    expect(m.f1).toBeCloseTo(4 / 6, 12);
  });

  it('rejects images of different sizes', () => {
    expect(() => binaryMetrics(new Uint8Array(3), new Uint8Array(4))).toThrow(/3 pixels but truth has 4/);
  });
});

describe('membrane metrics (ISBI foreground-restricted Rand)', () => {
  // 5x2 images; column 2 is membrane where marked.
  const wall = Uint8Array.from({ length: 10 }, (_, i) => (i % 5 === 2 ? 1 : 0));
  const none = new Uint8Array(10);

  it('perfect prediction: Rand error 0', () => {
    expect(membraneMetrics(wall, wall, 5, 2)).toMatchObject({ randError: 0, pixelError: 0, iou: 1 });
  });

  it('missed membrane merges two cells', () => {
    const m = membraneMetrics(none, wall, 5, 2);
    // Truth cells A, B of 4 px; the prediction puts all 8 in one cell: sum t² = 32, sum s² = 64,
    // sum n² = 32 -> precision 1/2, recall 1, F = 2/3.
    expect(m.randPrecision).toBeCloseTo(0.5, 12);
    expect(m.randRecall).toBeCloseTo(1, 12);
    expect(m.randError).toBeCloseTo(1 - 2 / 3, 12);
    expect(m.pixelError).toBeCloseTo(2 / 10, 12);
    expect(m.iou).toBe(0);
  });

  it('false membrane splits a cell; its pixels count as singletons', () => {
    const m = membraneMetrics(wall, none, 5, 2);
    // One true cell of 10 px (sum t² = 100); predicted cells of 4 + 4 px and 2 boundary singletons:
    // sum s² = 16 + 16 + 2 = 34 = sum n² -> precision 1, recall 0.34.
    const f = (2 * 0.34) / 1.34;
    expect(m.randPrecision).toBeCloseTo(1, 12);
    expect(m.randRecall).toBeCloseTo(0.34, 12);
    expect(m.randError).toBeCloseTo(1 - f, 12);
  });

  it('randScores ignores true boundary pixels and label ids', () => {
    const truth = new Uint32Array([1, 1, 0, 2, 2]);
    const pred = new Uint32Array([9, 9, 9, 4, 4]); // the true-boundary pixel's label does not matter
    expect(randScores(pred, truth).randError).toBe(0);
    expect(randScores(new Uint32Array(5), new Uint32Array(5)).randError).toBe(0);
  });
});
