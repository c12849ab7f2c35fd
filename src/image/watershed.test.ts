import { describe, expect, it } from 'vitest';
import { createPixelQueue } from './priorityQueue';
import { watershed } from './watershed';

describe('createPixelQueue', () => {
  it('pops by priority, equal priorities in insertion order, across growth', () => {
    const q = createPixelQueue(4);
    const pushed: [number, number][] = [];
    for (let i = 0; i < 200; i++) pushed.push([i, (i * 37) % 11]);
    for (const [i, p] of pushed) q.push(i, p);
    const popped: number[] = [];
    while (q.size > 0) popped.push(q.pop());
    const expected = [...pushed].sort((a, b) => a[1] - b[1] || a[0] - b[0]).map(([i]) => i);
    expect(popped).toEqual(expected);
  });

  it('rejects NaN priorities and popping an empty queue', () => {
    const q = createPixelQueue();
    expect(() => q.push(0, NaN)).toThrow(/NaN/);
    expect(() => q.pop()).toThrow(/empty/);
  });
});

describe('watershed', () => {
  it('floods two basins that meet at the crest between them', () => {
    // 1 x 9 relief: two valleys (x = 1 and x = 7) and a crest at x = 5.
    const surface = [3, 0, 1, 2, 3, 9, 2, 0, 1];
    const markers = [0, 1, 0, 0, 0, 0, 0, 2, 0];
    expect([...watershed(surface, markers, 9, 1)]).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2]);
  });

  it('shares a flat plateau evenly between the markers (breadth-first ties)', () => {
    const surface = new Array(10).fill(0);
    const markers = [1, 0, 0, 0, 0, 0, 0, 0, 0, 2];
    expect([...watershed(surface, markers, 10, 1)]).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
  });

  it('floods only inside the mask; pixels no marker reaches stay 0', () => {
    // 5 x 3: a wall column x = 2 outside the mask separates the right part, which has no marker.
    const w = 5;
    const mask = [1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1];
    const markers = new Array(15).fill(0);
    markers[0] = 4;
    const labels = watershed(new Array(15).fill(0), markers, w, 3, { mask });
    expect([...labels]).toEqual([4, 4, 0, 0, 0, 4, 4, 0, 0, 0, 4, 4, 0, 0, 0]);
  });

  it('crosses a diagonal gap only with 8-connectivity', () => {
    // 2 x 2 mask with the two off-diagonal pixels missing.
    const mask = [1, 0, 0, 1];
    const markers = [1, 0, 0, 0];
    expect([...watershed([0, 0, 0, 0], markers, 2, 2, { mask, connectivity: 4 })]).toEqual([1, 0, 0, 0]);
    expect([...watershed([0, 0, 0, 0], markers, 2, 2, { mask, connectivity: 8 })]).toEqual([1, 0, 0, 1]);
  });

  it('says which array has the wrong size', () => {
    expect(() => watershed([0, 0], [0, 0, 0], 3, 1)).toThrow(/surface has 2 values/);
    expect(() => watershed([0, 0, 0], [0, 0, 0], 3, 1, { mask: [1] })).toThrow(/mask has 1 values/);
  });
});

/**
 * The flooding the module comment describes, written the slow obvious way: every marker pixel queued,
 * the lowest (oldest among equals) taken by a linear scan. The fast version must give the same labels.
 */
function referenceWatershed(surface: number[], markers: number[], width: number, height: number, mask?: number[], eight = false): number[] {
  const labels = markers.map((m) => (m > 0 ? m : 0));
  const queue: { p: number; key: number; age: number }[] = [];
  let age = 0;
  labels.forEach((l, p) => {
    if (l > 0) queue.push({ p, key: surface[p], age: age++ });
  });
  const steps = eight ? [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [1, -1], [-1, 1], [-1, -1]] : [[1, 0], [-1, 0], [0, 1], [0, -1]];
  while (queue.length > 0) {
    let best = 0;
    for (let i = 1; i < queue.length; i++) {
      const a = queue[i];
      const b = queue[best];
      if (a.key < b.key || (a.key === b.key && a.age < b.age)) best = i;
    }
    const { p } = queue.splice(best, 1)[0];
    const x = p % width;
    const y = (p - x) / width;
    for (const [dx, dy] of steps) {
      const nx = x + dx;
      const ny = y + dy;
      if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
      const q = ny * width + nx;
      if (labels[q] !== 0 || (mask && mask[q] === 0)) continue;
      labels[q] = labels[p];
      queue.push({ p: q, key: surface[q], age: age++ });
    }
  }
  return labels;
}

describe('watershed against the reference flooding', () => {
  it('gives the same labels on random reliefs with many ties, seed blobs, masks and both connectivities', () => {
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let trial = 0; trial < 40; trial++) {
      const width = 8 + Math.floor(random() * 20);
      const height = 8 + Math.floor(random() * 20);
      const n = width * height;
      // Few levels, so plateaus and ties are everywhere; blobs of marker pixels, most of them interior.
      const levels = 2 + Math.floor(random() * 6);
      const surface = Array.from({ length: n }, () => Math.floor(random() * levels));
      const markers = new Array<number>(n).fill(0);
      const seeds = 1 + Math.floor(random() * 5);
      for (let s = 1; s <= seeds; s++) {
        const cx = Math.floor(random() * width);
        const cy = Math.floor(random() * height);
        const r = Math.floor(random() * 4);
        for (let y = Math.max(0, cy - r); y <= Math.min(height - 1, cy + r); y++) {
          for (let x = Math.max(0, cx - r); x <= Math.min(width - 1, cx + r); x++) markers[y * width + x] = s;
        }
      }
      const mask = trial % 2 === 0 ? undefined : Array.from({ length: n }, () => (random() < 0.8 ? 1 : 0));
      const eight = trial % 4 >= 2;
      const fast = watershed(surface, markers, width, height, { mask, connectivity: eight ? 8 : 4 });
      expect([...fast]).toEqual(referenceWatershed(surface, markers, width, height, mask, eight));
    }
  });

  it('rejects a NaN in the relief even where it lies inside a seed', () => {
    const surface = [0, NaN, 0, 1, 1, 1, 2, 2, 2];
    const markers = [1, 1, 1, 1, 1, 1, 0, 0, 0];
    expect(() => watershed(surface, markers, 3, 3)).toThrow(/NaN at pixel 1/);
  });
});
