import { describe, expect, it } from 'vitest';
import { acceptPrediction, countLabels, createLabelCanvas, floodFill, paintSegment, type LabelCanvas } from './labels';

function fromRows(rows: string[]): LabelCanvas {
  const c = createLabelCanvas(rows[0].length, rows.length);
  rows.forEach((r, y) => [...r].forEach((ch, x) => (c.data[y * c.width + x] = Number(ch))));
  return c;
}
const toRows = (c: LabelCanvas): string[] =>
  Array.from({ length: c.height }, (_, y) => [...c.data.subarray(y * c.width, (y + 1) * c.width)].join(''));

describe('paintSegment', () => {
  it('paints a capsule: centres within the radius of the segment', () => {
    const c = createLabelCanvas(12, 9);
    const rect = paintSegment(c, 2.5, 5.5, 8.5, 5.5, 1.5, 2);
    // Rows 4..6 (centre distance <= 1) from x = 1 to 9; the cap corners (1,4) are at sqrt(2) <= 1.5.
    expect(rect).toEqual({ x: 1, y: 4, width: 9, height: 3 });
    expect(toRows(c)).toEqual([
      '000000000000', '000000000000', '000000000000', '000000000000',
      '022222222200', '022222222200', '022222222200', '000000000000', '000000000000',
    ]);
  });

  it('a 1-px brush paints the pixel under the cursor, even on a pixel corner', () => {
    const c = createLabelCanvas(6, 6);
    paintSegment(c, 3, 3, 3, 3, 0.5, 1);
    expect(countLabels(c).background).toBe(1);
    expect(c.data[3 * 6 + 3]).toBe(1);
    const d = createLabelCanvas(6, 6);
    paintSegment(d, 0.5, 0.5, 5.5, 5.5, 0.5, 2); // a diagonal 1-px line: 6 pixels, no gaps
    expect(toRows(d)).toEqual(['200000', '020000', '002000', '000200', '000020', '000002']);
  });

  it('erases with value 0 and clips to the image', () => {
    const c = fromRows(['2222', '2222', '2222']);
    const rect = paintSegment(c, -5, 0.5, 1.5, 0.5, 0.5, 0);
    expect(rect).toEqual({ x: 0, y: 0, width: 2, height: 1 });
    expect(toRows(c)).toEqual(['0022', '2222', '2222']);
    expect(paintSegment(c, -9, -9, -7, -7, 1, 1).width).toBe(0);
    expect(() => paintSegment(c, 1, 1, 1, 1, 1, 3 as 0)).toThrow(/not 0, 1 or 2/);
  });
});

describe('floodFill', () => {
  it('fills the connected region of the seed value and reports its bounds', () => {
    const c = fromRows(['00100', '01010', '01110', '00000']);
    let seen: string[] = [];
    const rect = floodFill(c, 2.5, 1.5, 2, () => (seen = toRows(c)));
    expect(seen).toEqual(['00100', '01010', '01110', '00000']); // beforeWrite sees the canvas unchanged
    expect(rect).toEqual({ x: 2, y: 1, width: 1, height: 1 });
    expect(toRows(c)).toEqual(['00100', '01210', '01110', '00000']);
    const outer = floodFill(c, 0, 0, 1);
    expect(outer).toEqual({ x: 0, y: 0, width: 5, height: 4 });
    expect(toRows(c)).toEqual(['11111', '11211', '11111', '11111']);
  });

  it('4-connectivity stops at diagonals, 8 goes through; same value is a no-op', () => {
    const rows = ['1000', '0100', '0010'];
    const four = fromRows(rows);
    floodFill(four, 0, 0, 2);
    expect(toRows(four)).toEqual(['2000', '0100', '0010']);
    const eight = fromRows(rows);
    floodFill(eight, 0, 0, 2, undefined, 8);
    expect(toRows(eight)).toEqual(['2000', '0200', '0020']);
    expect(floodFill(eight, 0, 0, 2).width).toBe(0);
  });
});

describe('acceptPrediction', () => {
  const prob = new Float32Array([0.9, 0.2, 0.5, NaN, 0.7, 0.1]);
  it('thresholds the whole image or a rectangle', () => {
    const c = fromRows(['000', '000']);
    acceptPrediction(c, prob);
    expect(toRows(c)).toEqual(['212', '021']);
    const d = fromRows(['000', '000']);
    expect(acceptPrediction(d, prob, { rect: { x: 1, y: 0, width: 5, height: 1 }, threshold: 0.6 })).toEqual({ x: 1, y: 0, width: 2, height: 1 });
    expect(toRows(d)).toEqual(['011', '000']);
  });
  it('can keep what the user painted', () => {
    const c = fromRows(['100', '002']);
    acceptPrediction(c, prob, { onlyUnlabelled: true });
    expect(toRows(c)).toEqual(['112', '022']);
  });
});
