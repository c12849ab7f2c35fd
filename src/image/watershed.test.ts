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
