import { describe, expect, it } from 'vitest';
import type { FloatPlane } from '../image/types';
import { extractMirroredWindow, mirrorIndex, mirrorPad } from './mirror';

/**
 * Reference: numpy-style 'reflect' padding done one pixel at a time, growing the array by mirroring its
 * current border, so pads larger than the image reflect repeatedly (what np.pad does in chunks).
 */
function referencePad1d(row: number[], before: number, after: number): number[] {
  let a = row.slice();
  for (let i = 0; i < before; i++) {
    // The pixel mirrored at the current left border, counted in the *original* row (reflection repeats).
    const n = row.length;
    const idx = n === 1 ? 0 : reflectOnce(-(i + 1), n);
    a = [row[idx], ...a];
  }
  for (let i = 0; i < after; i++) {
    const n = row.length;
    const idx = n === 1 ? 0 : reflectOnce(n + i, n);
    a = [...a, row[idx]];
  }
  return a;
}

/** Walks a coordinate back into [0, n) by bouncing off the borders step by step (no modulo). */
function reflectOnce(i: number, n: number): number {
  let pos = 0;
  let dir = i >= 0 ? 1 : -1;
  for (let s = 0; s < Math.abs(i); s++) {
    if (pos + dir < 0 || pos + dir > n - 1) dir = -dir;
    pos += dir;
  }
  return pos;
}

function referencePad2d(p: FloatPlane, top: number, bottom: number, left: number, right: number): number[][] {
  const rows: number[][] = [];
  for (let y = 0; y < p.height; y++) rows.push(referencePad1d(Array.from(p.data.subarray(y * p.width, (y + 1) * p.width)), left, right));
  const cols = rows[0].length;
  const out: number[][] = [];
  const colVals = (x: number) => referencePad1d(rows.map((r) => r[x]), top, bottom);
  const padded = Array.from({ length: cols }, (_, x) => colVals(x));
  for (let y = 0; y < p.height + top + bottom; y++) out.push(padded.map((c) => c[y]));
  return out;
}

function plane(width: number, height: number): FloatPlane {
  return { width, height, data: Float32Array.from({ length: width * height }, (_, i) => i + 1) };
}

describe('mirror padding', () => {
  it('maps indices like numpy reflect, repeating beyond the image', () => {
    expect([-3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7].map((i) => mirrorIndex(i, 4))).toEqual([3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1]);
    expect([-5, 0, 9].map((i) => mirrorIndex(i, 1))).toEqual([0, 0, 0]);
    for (const n of [1, 2, 3, 7]) for (let i = -40; i < 40; i++) expect(mirrorIndex(i, n)).toBe(n === 1 ? 0 : reflectOnce(i, n));
  });

  it('matches the reference on small arrays, including pads larger than the image', () => {
    const cases: [number, number, number, number, number, number][] = [
      [4, 3, 1, 2, 3, 0],
      [1, 5, 3, 3, 2, 2],
      [5, 1, 0, 4, 7, 7],
      [2, 2, 9, 11, 5, 6],
      [3, 4, 0, 0, 0, 0],
      [1, 1, 3, 2, 1, 4],
    ];
    for (const [w, h, top, bottom, left, right] of cases) {
      const p = plane(w, h);
      const got = mirrorPad(p, { top, bottom, left, right });
      const ref = referencePad2d(p, top, bottom, left, right);
      expect(got.height).toBe(ref.length);
      expect(got.width).toBe(ref[0].length);
      const gotRows = ref.map((_, y) => Array.from(got.data.subarray(y * got.width, (y + 1) * got.width)));
      expect(gotRows).toEqual(ref);
    }
  });

  it('reads arbitrary windows, interleaving channels', () => {
    const a = plane(3, 2);
    const b: FloatPlane = { ...a, data: a.data.map((v) => -v) };
    const win = extractMirroredWindow([a, b], -1, 2, 2, 3);
    // Rows -1, 0 -> 1, 0; cols 2, 3, 4 -> 2, 1, 0.
    const expected = [6, 5, 4, 3, 2, 1].flatMap((v) => [v, -v]);
    expect(Array.from(win)).toEqual(expected);
  });

  it('rejects bad input clearly', () => {
    expect(() => mirrorPad(plane(2, 2), { top: -1, bottom: 0, left: 0, right: 0 })).toThrow(/top/);
    expect(() => mirrorIndex(0, 0)).toThrow(/>= 1/);
    expect(() => extractMirroredWindow([plane(2, 2), plane(3, 2)], 0, 0, 1, 1)).toThrow(/differ/);
  });
});
