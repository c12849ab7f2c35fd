import { describe, expect, it } from 'vitest';
import { connectedComponents } from './components';
import { pixelOutline, polygonArea, type Polygon } from './contours';
import { fillHoles } from './holes';

function vertices(p: Polygon): [number, number][] {
  return Array.from(p.x, (x, i) => [x, p.y[i]]);
}

/** Even-odd test of a pixel centre (never on an edge: edges lie on integer lines). */
function centreInside(p: Polygon, px: number, py: number): boolean {
  const cx = px + 0.5;
  const cy = py + 0.5;
  let inside = false;
  for (let i = 0, j = p.x.length - 1; i < p.x.length; j = i++) {
    const [xi, yi, xj, yj] = [p.x[i], p.y[i], p.x[j], p.y[j]];
    if (yi > cy !== yj > cy && cx < ((xj - xi) * (cy - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

describe('pixelOutline', () => {
  it('traces a square clockwise with a vertex at each corner', () => {
    // 5 x 4 labels with a 3 x 3 square at x 1..3, y 0..2.
    const labels = [0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0];
    const p = pixelOutline(labels, 5, 4, 1, 1);
    expect(vertices(p)).toEqual([[1, 0], [4, 0], [4, 3], [1, 3]]);
    expect(polygonArea(p)).toBe(9);
  });

  it('passes through a diagonal touch with 8-connectivity and turns away with 4', () => {
    const labels = [1, 0, 0, 0, 1, 0, 0, 0, 0];
    expect(vertices(pixelOutline(labels, 3, 3, 1, 0, 8))).toEqual([[0, 0], [1, 0], [1, 1], [2, 1], [2, 2], [1, 2], [1, 1], [0, 1]]);
    expect(polygonArea(pixelOutline(labels, 3, 3, 1, 0, 8))).toBe(2);
    expect(vertices(pixelOutline(labels, 3, 3, 1, 0, 4))).toEqual([[0, 0], [1, 0], [1, 1], [0, 1]]);
  });

  it('encloses exactly the pixels of the object (holes filled) on random blobs', () => {
    let s = 99;
    const rand = (): number => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const w = 24;
    const h = 20;
    for (let trial = 0; trial < 20; trial++) {
      const blob = Uint8Array.from({ length: w * h }, () => (rand() < 0.55 ? 1 : 0));
      const pieces = connectedComponents(blob, w, h, { connectivity: 8 });
      const largest = pieces.sizes.indexOf(Math.max(...pieces.sizes.subarray(1)), 1);
      const object = Uint8Array.from(pieces.labels, (l) => (l === largest ? 1 : 0));
      const start = object.indexOf(1);
      const outline = pixelOutline(object, w, h, 1, start, 8);
      const filled = fillHoles(object, w, h, { connectivity: 8 });
      const inside = Uint8Array.from({ length: w * h }, (_, i) => (centreInside(outline, i % w, Math.floor(i / w)) ? 1 : 0));
      expect([...inside]).toEqual([...filled]);
      expect(polygonArea(outline)).toBe(filled.reduce((a, v) => a + v, 0));
    }
  });
});
