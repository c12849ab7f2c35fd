import { describe, expect, it } from 'vitest';
import { connectedComponents } from './components';
import { fillHoles } from './holes';
import { defaultPostProcessing, objectsFromProbability, plainPostProcessing, type PostProcessing } from './postProcessing';
import { mergeSmallRegions } from './regions';
import { foregroundMask, splitTouching } from './splitObjects';

const W = 64;
const H = 48;

/** Pixels whose centre lies within r of (cx, cy), or between r0 and r1 for a ring. */
function paint(out: Float32Array, cx: number, cy: number, r1: number, value: number, r0 = -1): Float32Array {
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const d2 = (x - cx) ** 2 + (y - cy) ** 2;
      if (d2 <= r1 * r1 && d2 > r0 * r0 * Math.sign(r0)) out[y * W + x] = value;
    }
  }
  return out;
}

function discArea(r: number): number {
  return paint(new Float32Array(W * H), 32, 24, r, 1).reduce((s, v) => s + v, 0);
}

/** Object id covering each (x, y). */
function idsAt(labels: Uint32Array, points: [number, number][]): number[] {
  return points.map(([x, y]) => labels[y * W + x]);
}

describe('fillHoles', () => {
  it('fills the inside of a ring but not background that reaches the border', () => {
    const ring = paint(new Float32Array(W * H), 20, 24, 10, 1, 5);
    // A U shape open to the top border: its inside is connected to the outside.
    for (let y = 0; y < 10; y++) ring[y * W + 50] = ring[y * W + 56] = 1;
    for (let x = 50; x <= 56; x++) ring[10 * W + x] = 1;
    const filled = fillHoles(ring, W, H);
    expect(filled[24 * W + 20]).toBe(1);
    expect(filled.reduce((s, v) => s + v, 0)).toBe(discArea(10) + 10 * 2 + 7);
    expect(filled[5 * W + 53]).toBe(0);
  });

  it('keeps holes larger than maxHoleSize', () => {
    const ring = paint(new Float32Array(W * H), 20, 24, 10, 1, 5);
    const hole = discArea(5);
    expect(fillHoles(ring, W, H, { maxHoleSize: hole - 1 })[24 * W + 20]).toBe(0);
    expect(fillHoles(ring, W, H, { maxHoleSize: hole })[24 * W + 20]).toBe(1);
  });

  it('treats a background pixel as a hole according to the objects connectivity', () => {
    // A 4-connected frame whose corner is cut diagonally: the centre pixel touches the outside only
    // through the diagonal gap, so it is a hole of a 4-connected object and not of an 8-connected one.
    const w = 3;
    const mask = [0, 1, 1, 1, 0, 1, 1, 1, 1];
    expect(fillHoles(mask, w, 3, { connectivity: 4 })[4]).toBe(0);
    expect(fillHoles(mask, w, 3, { connectivity: 8 })[4]).toBe(1);
  });
});

describe('splitTouching', () => {
  it('splits two touching discs along their neck', () => {
    const mask = paint(paint(new Float32Array(W * H), 22, 24, 10, 1), 40, 24, 10, 1);
    const m = Uint8Array.from(mask);
    expect(connectedComponents(m, W, H).count).toBe(1);
    const labels = splitTouching(m, W, H, 1);
    const [a, b] = idsAt(labels, [[22, 24], [40, 24]]);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    expect(a).not.toBe(b);
    expect(new Set(labels).size).toBe(3); // background + 2
    // Every foreground pixel belongs to one of them; the split runs through the neck at x = 31.
    expect(labels.every((l, i) => (l !== 0) === (m[i] === 1))).toBe(true);
    expect(labels[24 * W + 30]).toBe(a);
    expect(labels[24 * W + 32]).toBe(b);
  });

  it('does not split one disc with a bumpy outline', () => {
    const mask = paint(new Float32Array(W * H), 32, 24, 12, 1);
    for (const [x, y] of [[44, 24], [45, 24], [32, 36], [20, 25]]) mask[y * W + x] = 1;
    expect(new Set(splitTouching(Uint8Array.from(mask), W, H, 1)).size).toBe(2);
  });
});

describe('mergeSmallRegions', () => {
  it('joins a sliver to the neighbour it shares most border with and drops isolated specks', () => {
    // 6 x 3: region 1 (cols 0-2), region 2 (cols 4-5), sliver 3 in col 3 rows 0-1, speck 4 alone.
    const labels = [1, 1, 1, 3, 2, 2, 1, 1, 1, 3, 2, 2, 1, 1, 1, 0, 2, 2];
    // Sliver 3 touches region 1 on 2 edges and region 2 on 2 edges: tie -> the smaller id (1).
    const merged = mergeSmallRegions(labels, 6, 3, 3);
    expect([...merged.labels]).toEqual([1, 1, 1, 1, 2, 2, 1, 1, 1, 1, 2, 2, 1, 1, 1, 0, 2, 2]);
    expect(merged.count).toBe(2);
    expect([...merged.sizes]).toEqual([1, 11, 6]);
    const speck = mergeSmallRegions([0, 0, 0, 0, 5, 0, 0, 0, 0], 3, 3, 2);
    expect(speck.count).toBe(0);
  });
});

describe('objectsFromProbability (foreground)', () => {
  const settings: PostProcessing = { ...defaultPostProcessing('foreground'), smoothing: 0, minSize: 10, h: 1 };

  it('turns a ring with a dim centre into one whole object', () => {
    // A large nucleus whose dim chromatin the model calls p = 0.45: a ring at the 0.5 threshold.
    const prob = paint(paint(new Float32Array(W * H), 32, 24, 15, 0.95), 32, 24, 6, 0.45);
    const plain = objectsFromProbability(prob, W, H, plainPostProcessing('foreground'));
    expect(plain.count).toBe(1);
    expect(plain.sizes[1]).toBe(discArea(15) - discArea(6));
    const objects = objectsFromProbability(prob, W, H, settings);
    expect(objects.count).toBe(1);
    expect(objects.sizes[1]).toBe(discArea(15));
  });

  it('splits touching rings into two whole objects', () => {
    const prob = new Float32Array(W * H);
    paint(prob, 20, 24, 11, 0.9);
    paint(prob, 41, 24, 11, 0.9);
    paint(prob, 20, 24, 4, 0.3);
    paint(prob, 41, 24, 4, 0.3);
    expect(objectsFromProbability(prob, W, H, plainPostProcessing('foreground')).count).toBe(1);
    const objects = objectsFromProbability(prob, W, H, settings);
    expect(objects.count).toBe(2);
    const [a, b] = idsAt(objects.labels, [[20, 24], [41, 24]]);
    expect(a).not.toBe(b);
    // The two halves are mirror images: equal areas, together the union of both discs.
    expect(objects.sizes[1]).toBe(objects.sizes[2]);
    expect(objects.sizes[1] + objects.sizes[2]).toBe(2 * discArea(11) - 2); // discs overlap in 2 pixels (x = 30/31 row 24)
  });

  it('keeps three discs in a row apart, and split "none" merges them', () => {
    const prob = new Float32Array(W * H);
    for (const cx of [12, 30, 48]) paint(prob, cx, 24, 9.6, 1);
    expect(objectsFromProbability(prob, W, H, { ...settings, split: 'none' }).count).toBe(1);
    expect(objectsFromProbability(prob, W, H, settings).count).toBe(3);
  });

  it('reproduces the plain threshold mask when everything is off', () => {
    const prob = Float32Array.from({ length: W * H }, (_, i) => ((i * 7919) % 101) / 100);
    const mask = foregroundMask(prob, W, H, plainPostProcessing('foreground'));
    expect([...mask]).toEqual(Array.from(prob, (p) => (p >= 0.5 ? 1 : 0)));
  });
});
