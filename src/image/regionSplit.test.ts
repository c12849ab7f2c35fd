import { describe, expect, it } from 'vitest';
import { splitRegions } from './regionSplit';

/** Parses a picture: '.' unlabelled, 'b' background (1), 'f' foreground (2). */
function picture(rows: string[]): { labels: Uint8Array; width: number; height: number } {
  const width = rows[0].length;
  const labels = new Uint8Array(width * rows.length);
  rows.forEach((r, y) => [...r].forEach((ch, x) => (labels[y * width + x] = ch === 'b' ? 1 : ch === 'f' ? 2 : 0)));
  return { labels, width, height: rows.length };
}

/** A 100x100 canvas with `count` horizontal strokes of each class, 3 px thick, lengths varying. */
function strokes(count: number): { labels: Uint8Array; width: number; height: number } {
  const width = 100;
  const height = 100;
  const labels = new Uint8Array(width * height);
  for (let k = 0; k < count; k++) {
    for (const cls of [1, 2]) {
      const y0 = 2 + (k * 2 + cls - 1) * 5;
      const len = 20 + ((k * 37 + cls * 11) % 60);
      for (let y = y0; y < y0 + 3; y++) for (let x = 5; x < 5 + len; x++) labels[y * width + x] = cls;
    }
  }
  return { labels, width, height };
}

const count = (a: Uint8Array, v: number): number => a.reduce((s, x) => s + (x === v ? 1 : 0), 0);

/** Every 8-neighbour pair of pixels of the same class lies wholly in train or wholly in validation. */
function regionsStayWhole(labels: Uint8Array, validation: Uint8Array, width: number, height: number): boolean {
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (labels[i] === 0) continue;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
          const j = yy * width + xx;
          if (labels[j] === labels[i] && (validation[i] !== 0) !== (validation[j] !== 0)) return false;
        }
      }
    }
  }
  return true;
}

describe('splitRegions', () => {
  it('holds out nothing with fewer than two regions, or with one region per class', () => {
    const one = picture(['.....', '.bbb.', '.bbb.', '.....']);
    const a = splitRegions(one.labels, one.width, one.height);
    expect(a).toMatchObject({ regions: 1, heldOutRegions: 0 });
    expect(a.train).toEqual(one.labels);
    expect(count(a.validation, 0)).toBe(one.labels.length);
    // A background stroke touching a foreground stroke: two regions, but holding either out would
    // remove its class from training altogether.
    const touching = picture(['bbbff', 'bbbff', '.....']);
    const b = splitRegions(touching.labels, touching.width, touching.height, { fraction: 0.5 });
    expect(b).toMatchObject({ regions: 2, heldOutRegions: 0 });
    expect(b.train).toEqual(touching.labels);
    const empty = splitRegions(new Uint8Array(12), 4, 3);
    expect(empty).toMatchObject({ regions: 0, heldOutRegions: 0 });
  });

  it('counts regions per class with 8-connectivity', () => {
    // Diagonal contact joins (8-connectivity); b and f touching stay separate regions.
    const p = picture(['b...f', '.b..f', '..fff', 'b....']);
    expect(splitRegions(p.labels, p.width, p.height).regions).toBe(3);
  });

  it('splits whole regions, disjointly, about `fraction` of each class', () => {
    const s = strokes(10);
    const split = splitRegions(s.labels, s.width, s.height, { fraction: 0.2, seed: 3 });
    expect(split.regions).toBe(20);
    // Disjoint, and together exactly the painted labels.
    const overlaps = split.train.filter((t, i) => t !== 0 && split.validation[i] !== 0).length;
    expect(overlaps).toBe(0);
    expect(split.train.map((t, i) => t || split.validation[i])).toEqual(s.labels);
    expect(regionsStayWhole(s.labels, split.validation, s.width, s.height)).toBe(true);
    for (const cls of [1, 2]) {
      const share = count(split.validation, cls) / count(s.labels, cls);
      // Whole regions of 60-240 px out of ~1500 px per class: the target 0.2 is met within a region or two.
      expect(share).toBeGreaterThan(0.1);
      expect(share).toBeLessThan(0.4);
      expect(count(split.train, cls)).toBeGreaterThan(0);
    }
  });

  it('holds out some of each class that has two regions, even when one region is most of it', () => {
    const p = picture([
      'bbbbbbbbbb',
      'bbbbbbbbbb',
      'bbbbbbbbbb',
      '..........',
      'b.f.......',
      '....ffff..',
    ]);
    const split = splitRegions(p.labels, p.width, p.height, { fraction: 0.2 });
    // The single background pixel is the only region small enough; the big patch stays for training.
    expect(split.validation[4 * 10]).toBe(1);
    expect(count(split.validation, 1)).toBe(1);
    expect(count(split.validation, 2)).toBeGreaterThan(0);
    expect(count(split.train, 2)).toBeGreaterThan(0);
    expect(split.heldOutRegions).toBe(2);
  });

  it('is deterministic under the seed and depends on it', () => {
    const s = strokes(10);
    const a = splitRegions(s.labels, s.width, s.height, { seed: 7 });
    const b = splitRegions(s.labels, s.width, s.height, { seed: 7 });
    expect(a.validation).toEqual(b.validation);
    const others = [1, 2, 3, 4, 5].map((seed) => splitRegions(s.labels, s.width, s.height, { seed }).validation);
    expect(others.some((v) => v.some((x, i) => x !== a.validation[i]))).toBe(true);
  });

  it('holds out nothing with fraction 0 and rejects bad input', () => {
    const s = strokes(4);
    expect(splitRegions(s.labels, s.width, s.height, { fraction: 0 }).heldOutRegions).toBe(0);
    expect(() => splitRegions(s.labels, 10, 10)).toThrow(/expected 10x10/);
    expect(() => splitRegions(s.labels, s.width, s.height, { fraction: 1 })).toThrow(/\[0, 1\)/);
    const bad = new Uint8Array([0, 3, 1, 1]);
    expect(() => splitRegions(bad, 2, 2)).toThrow(/label 3 at pixel 1/);
  });
});
