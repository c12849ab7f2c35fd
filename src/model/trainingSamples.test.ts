import { describe, expect, it } from 'vitest';
import { objectsOf, partialFromBinary, partialFromInstances, prepareSample, withBoundaryClass } from './trainingSamples';

const plane = (w: number, h: number) => ({ width: w, height: h, data: new Float32Array(w * h) });

describe('training samples', () => {
  it('separates touching instances by a seam that splits them under 8-connectivity', () => {
    // Two 3x3 instances side by side, touching along a column.
    const w = 6;
    const ids = new Uint16Array(w * 3).map((_, i) => (i % w < 3 ? 1 : 2));
    const p = partialFromInstances(ids, w, 3);
    // Instance 2's left column (x = 3) becomes background; instance 1 stays whole.
    for (let y = 0; y < 3; y++) {
      expect([...p.slice(y * w, y * w + w)]).toEqual([2, 2, 2, 1, 2, 2]);
    }
  });

  it('maps binary masks to background 1 / foreground 2', () => {
    expect([...partialFromBinary([0, 3, 255])]).toEqual([1, 2, 2]);
    expect([...partialFromBinary([0, 3, 255], 0)]).toEqual([2, 1, 1]);
  });

  it('takes membrane objects as the cells between membranes', () => {
    // Membrane (2) column in the middle: two cells (1) left and right.
    const labels = Uint8Array.from([1, 2, 1, 1, 2, 1]);
    const objects = objectsOf({ image: plane(3, 2), labels }, 1);
    expect(objects[0]).not.toBe(0);
    expect(objects[1]).toBe(0);
    expect(objects[2]).not.toBe(objects[0]);
    expect(objects[3]).toBe(objects[0]);
  });

  it('uses given instances for nuclei objects and lists labelled pixels', () => {
    const labels = Uint8Array.from([0, 1, 2, 2]);
    const instances = Uint16Array.from([0, 0, 7, 9]);
    const sample = { image: plane(2, 2), labels, instances };
    expect([...objectsOf(sample, 2)]).toEqual([0, 0, 7, 9]);
    const prepared = prepareSample(sample, 2);
    expect([...prepared.labelled]).toEqual([1, 2, 3]);
    expect(prepared.weights[0]).toBe(0);
  });

  it('rejects mismatched sizes and bad label values with the sample name', () => {
    expect(() => prepareSample({ image: plane(2, 2), labels: new Uint8Array(3), name: 'a.png' }, 2)).toThrow(/a\.png: labels are 3 pixels/);
    expect(() => prepareSample({ image: plane(1, 1), labels: Uint8Array.of(5), name: 'b' }, 2)).toThrow(/b: label 5/);
  });
});

describe('wide seams', () => {
  it('lets both touching instances yield their rim with seamWidth 2', () => {
    const w = 6;
    const ids = new Uint16Array(w * 2).map((_, i) => (i % w < 3 ? 1 : 2));
    const p = partialFromInstances(ids, w, 2, 2);
    expect([...p.slice(0, w)]).toEqual([2, 2, 1, 1, 2, 2]);
  });

  it('marks the edge of every instance as boundary (3), seams and image edges included as drawn by hand', () => {
    // Two 3x3 instances touching along a column, the second cut by a 1-px seam; a 6x5 image with a
    // background row above and below.
    const w = 6;
    const h = 5;
    const ids = new Uint16Array(w * h).map((_, i) => (i < w || i >= 4 * w ? 0 : i % w < 3 ? 1 : 2));
    const labels = partialFromInstances(ids, w, h);
    const marked = withBoundaryClass(labels, ids, w, h);
    // By hand: row 1 and row 3 touch the background above / below; column 2 touches the seam at x = 3;
    // the image's left and right edges are not boundary; the centre of instance 1 (1, 2) stays interior
    // and instance 2's remaining 2x3 block has no interior left.
    expect([...marked]).toEqual([
      1, 1, 1, 1, 1, 1,
      3, 3, 3, 1, 3, 3,
      2, 2, 3, 1, 3, 2,
      3, 3, 3, 1, 3, 3,
      1, 1, 1, 1, 1, 1,
    ]);
    // The input is left as it was.
    expect(labels.filter((l) => l === 3).length).toBe(0);
  });

  it('refuses labels and instances of another size', () => {
    expect(() => withBoundaryClass(new Uint8Array(4), new Uint16Array(6), 2, 2)).toThrow(/2x2/);
  });
});
