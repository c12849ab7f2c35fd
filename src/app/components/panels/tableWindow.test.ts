import { describe, expect, it } from 'vitest';
import { columnChars, FIRST_WINDOW, rowWindow } from './tableWindow';

describe('the rows of a long table that are rendered', () => {
  it('before the box is measured: the first window, a spacer for the rest', () => {
    expect(rowWindow(100, 0, null, 18)).toEqual({ start: 0, end: FIRST_WINDOW, before: 0, after: (100 - FIRST_WINDOW) * 18 });
    expect(rowWindow(10, 0, null, 18)).toEqual({ start: 0, end: 10, before: 0, after: 0 });
    expect(rowWindow(0, 0, null, 18)).toEqual({ start: 0, end: 0, before: 0, after: 0 });
  });

  it('covers every row the box shows, plus the margin, and the spacers keep the full height', () => {
    for (const top of [0, 5, 17.9, 18, 400, 1000, 1500, 1800]) {
      const w = rowWindow(100, top, 256, 18, 4);
      const firstShown = Math.floor(top / 18);
      const lastShown = Math.min(99, Math.floor((top + 256) / 18));
      expect(w.start).toBeLessThanOrEqual(Math.min(firstShown, 99));
      expect(w.end).toBeGreaterThan(lastShown);
      expect(w.start).toBeGreaterThanOrEqual(Math.max(0, Math.min(firstShown, 99) - 4));
      expect(w.end - w.start).toBeLessThanOrEqual(Math.ceil(256 / 18) + 1 + 2 * 4);
      expect(w.before + (w.end - w.start) * 18 + w.after).toBe(100 * 18);
    }
    // Scrolled past the end (the page got shorter): the last rows, not an empty window.
    const past = rowWindow(20, 5000, 256, 18, 4);
    expect(past.end).toBe(20);
    expect(past.start).toBeLessThan(20);
  });

  it('columns are as wide as their longest cell or their header with its sort mark', () => {
    expect(columnChars([['1', '12.5'], ['1234', '3.0']], ['id', 'x'])).toEqual([4, 4]);
    expect(columnChars([], ['perim.'])).toEqual([8]);
  });
});
