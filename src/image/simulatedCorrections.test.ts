import { describe, expect, it } from 'vitest';
import { connectedComponents } from './components';
import { labelledFraction, scribbleCorrections, squareCorrections } from './simulatedCorrections';

/** A seeded uniform generator (LCG) so the tests do not depend on Math.random. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Dense truth: background 1 with foreground discs of radius 6 on a 20 px grid. */
function discTruth(width: number, height: number): Uint8Array {
  const t = new Uint8Array(width * height).fill(1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) if (((x % 20) - 10) ** 2 + ((y % 20) - 10) ** 2 <= 36) t[y * width + x] = 2;
  }
  return t;
}

describe('squareCorrections', () => {
  const w = 120;
  const h = 100;
  const truth = discTruth(w, h);

  it('labels count separate squares of the given side, copied from the truth', () => {
    const labels = squareCorrections(truth, w, h, { count: 4, side: 20, random: lcg(3) });
    let n = 0;
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] === 0) continue;
      n++;
      expect(labels[i]).toBe(truth[i]);
    }
    expect(n).toBe(4 * 20 * 20);
    const mask = labels.map((v) => (v ? 1 : 0));
    const regions = connectedComponents(mask, w, h, { connectivity: 8 });
    expect(regions.count).toBe(4);
    expect([...regions.sizes.slice(1)]).toEqual([400, 400, 400, 400]);
  });

  it('is reproducible from the generator and moves with its seed', () => {
    const a = squareCorrections(truth, w, h, { count: 3, side: 16, random: lcg(7) });
    const b = squareCorrections(truth, w, h, { count: 3, side: 16, random: lcg(7) });
    const c = squareCorrections(truth, w, h, { count: 3, side: 16, random: lcg(8) });
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('centres squares on the given pixels, shifted inside the image', () => {
    // Candidates: a pixel near the top-left corner and one in the middle.
    const corner = 2 * w + 3;
    const middle = 50 * w + 60;
    const labels = squareCorrections(truth, w, h, { count: 2, side: 20, random: lcg(5), centres: [corner, middle] });
    const at = (x: number, y: number): boolean => labels[y * w + x] !== 0;
    // The corner square is shifted to start at (0, 0); the middle one spans 50-10 .. 50+9.
    expect(at(0, 0) && at(19, 19) && !at(20, 20)).toBe(true);
    expect(at(50, 40) && at(69, 59) && !at(70, 50) && !at(49, 50)).toBe(true);
    expect(labels.filter((v) => v !== 0).length).toBe(800);
  });

  it('refuses squares over the coverage ceiling and bad arguments', () => {
    // 4 * 30^2 = 3600 px = 30% of 120x100.
    expect(() => squareCorrections(truth, w, h, { count: 4, side: 30, random: lcg(1) })).toThrow(/more than 15.0%/);
    expect(() => squareCorrections(truth, w, h, { count: 4, side: 30, random: lcg(1), maxFraction: 0.5 })).not.toThrow();
    expect(() => squareCorrections(truth, w, h, { count: 0, side: 10, random: lcg(1) })).toThrow(RangeError);
    expect(() => squareCorrections(truth, w, h, { count: 1, side: 101, random: lcg(1), maxFraction: 1 })).toThrow(RangeError);
    expect(() => squareCorrections(new Uint8Array(w * h), w, h, { count: 1, side: 10, random: lcg(1) })).toThrow(/dense/);
  });
});

describe('scribbleCorrections', () => {
  const w = 60;
  const h = 40;
  // Truth: a horizontal foreground band of 7 rows (y 10..16) and a background rest.
  const truth = new Uint8Array(w * h).fill(1);
  for (let y = 10; y <= 16; y++) for (let x = 0; x < w; x++) truth[y * w + x] = 2;

  it('paints the centre line of a missed band with the foreground class', () => {
    // The prediction misses the band for x in [10, 50) and is right elsewhere.
    const predicted = truth.map((t, i) => (t === 2 && !((i % w) >= 10 && (i % w) < 50) ? 1 : 0));
    const labels = scribbleCorrections(truth, predicted, w, h, { radius: 0 });
    const rows = new Set<number>();
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] === 0) continue;
      expect(labels[i]).toBe(2);
      rows.add(Math.floor(i / w));
    }
    expect([...rows]).toEqual([13]);
    expect(labelledFraction(labels)).toBeGreaterThan(0);
  });

  it('labels false foreground as background, largest regions first, within the budget', () => {
    const predicted = truth.map((t) => (t === 2 ? 1 : 0));
    // A large false blob (12x12 at 2,22) and a small one (4x4 at 40,30).
    for (let y = 22; y < 34; y++) for (let x = 2; x < 14; x++) predicted[y * w + x] = 1;
    for (let y = 30; y < 34; y++) for (let x = 40; x < 44; x++) predicted[y * w + x] = 1;
    const one = scribbleCorrections(truth, predicted, w, h, { maxStrokes: 1, minRegionSize: 1 });
    const both = scribbleCorrections(truth, predicted, w, h, { maxStrokes: 5, minRegionSize: 1 });
    const where = (labels: Uint8Array): number[] => [...labels.keys()].filter((i) => labels[i] !== 0);
    expect(where(one).length).toBeGreaterThan(0);
    for (const i of where(one)) {
      expect(one[i]).toBe(1);
      expect(i % w).toBeLessThan(16); // only around the large blob
    }
    expect(where(both).some((i) => i % w >= 38)).toBe(true);
    for (const i of where(both)) expect(both[i]).toBe(truth[i]);
    // A ceiling below the large blob's stroke skips it and keeps the small one.
    const tight = scribbleCorrections(truth, predicted, w, h, { minRegionSize: 1, maxFraction: where(both).length / (w * h) - 0.004 });
    expect(where(tight).length).toBeLessThan(where(both).length);
    expect(where(tight).length).toBeLessThanOrEqual(Math.floor((where(both).length / (w * h) - 0.004) * w * h));
  });

  it('with an edge tolerance, skips edges placed a little off and still paints errors away from the edge', () => {
    // The prediction's band is 2 rows too thick below (rows 17-18: a 2-px edge error along the whole
    // width), and a false 10x10 blob (x 30-39, y 26-35) lies far from the band: the error a user sees.
    const predicted = truth.map((t) => (t === 2 ? 1 : 0));
    for (let y = 17; y <= 18; y++) for (let x = 0; x < w; x++) predicted[y * w + x] = 1;
    for (let y = 26; y < 36; y++) for (let x = 30; x < 40; x++) predicted[y * w + x] = 1;
    const painted = (labels: Uint8Array): number[] => [...labels.keys()].filter((i) => labels[i] !== 0);
    const all = painted(scribbleCorrections(truth, predicted, w, h, { minRegionSize: 1 }));
    const far = painted(scribbleCorrections(truth, predicted, w, h, { minRegionSize: 1, edgeTolerance: 2 }));
    const row = (i: number): number => Math.floor(i / w);
    // Without a tolerance the 60x2 edge error (the largest region) gets a stroke.
    expect(all.some((i) => row(i) === 17 || row(i) === 18)).toBe(true);
    // With 2 px, rows 17-18 (1 and 2 px from the band) are left alone; the blob is still painted.
    expect(far.length).toBeGreaterThan(0);
    for (const i of far) {
      expect(row(i)).toBeGreaterThanOrEqual(26);
      expect(i % w).toBeGreaterThanOrEqual(30);
    }
    // A 3-px edge error keeps its outer row (3 px from the band) as a 60x1 error, whose 3-px stroke may
    // reach row 18 but not row 17.
    for (let x = 0; x < w; x++) predicted[19 * w + x] = 1;
    const wider = painted(scribbleCorrections(truth, predicted, w, h, { minRegionSize: 1, edgeTolerance: 2 }));
    expect(wider.some((i) => row(i) === 19)).toBe(true);
    expect(wider.some((i) => row(i) === 17)).toBe(false);
    expect(() => scribbleCorrections(truth, predicted, w, h, { edgeTolerance: -1 })).toThrow(/edgeTolerance/);
  });

  it('paints nothing when the prediction is right and rejects mismatched sizes', () => {
    const predicted = truth.map((t) => (t === 2 ? 1 : 0));
    expect(labelledFraction(scribbleCorrections(truth, predicted, w, h))).toBe(0);
    expect(() => scribbleCorrections(truth, new Uint8Array(10), w, h)).toThrow(RangeError);
  });
});
