import { describe, expect, it } from 'vitest';
import { borderWeights, classBalanceWeights, nearestObjectDistances } from './borderWeights';

/** Two discs of radius r whose rims are `gap` px apart along the x axis, in a w x h image. */
function touchingDiscs(w: number, h: number, r: number, gap: number) {
  const objects = new Uint16Array(w * h);
  const labels = new Uint8Array(w * h).fill(1);
  const cy = Math.floor(h / 2);
  const c1 = Math.floor(w / 2) - Math.ceil(gap / 2) - r;
  const c2 = c1 + 2 * r + gap + 1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if ((x - c1) ** 2 + (y - cy) ** 2 <= r * r) objects[i] = 1;
      else if ((x - c2) ** 2 + (y - cy) ** 2 <= r * r) objects[i] = 2;
      if (objects[i]) labels[i] = 2;
    }
  }
  return { objects, labels, cy, c1, c2 };
}

describe('borderWeights', () => {
  const w = 80;
  const h = 40;
  const r = 8;
  const { objects, labels, cy, c1, c2 } = touchingDiscs(w, h, r, 2);
  // Mark a corner block unlabelled.
  for (let y = 0; y < 6; y++) for (let x = 0; x < 6; x++) labels[y * w + x] = 0;

  it('peaks on the gap between two touching discs', () => {
    const map = borderWeights({ width: w, height: h, labels, objects });
    let best = 0;
    let bestIdx = -1;
    for (let i = 0; i < map.length; i++) if (map[i] > best) [best, bestIdx] = [map[i], i];
    const bx = bestIdx % w;
    const by = Math.floor(bestIdx / w);
    expect(by).toBe(cy);
    expect(bx).toBeGreaterThan(c1 + r);
    expect(bx).toBeLessThan(c2 - r);
    const wc = classBalanceWeights(labels);
    // On the gap d1 = 1 and d2 = 2 (the rims are 2 px apart): w_c + 10 exp(-9 / 50).
    expect(best).toBeCloseTo(wc[1] + 10 * Math.exp(-9 / 50), 4);
  });

  it('is about w_c far from objects and 0 where unlabelled', () => {
    const map = borderWeights({ width: w, height: h, labels, objects });
    const wc = classBalanceWeights(labels);
    expect(map[0]).toBe(0);
    expect(map[5 * w + 5]).toBe(0);
    // Far right edge: d1 + d2 > 40 px, so the border term is below 10 exp(-32) ~ 0.
    expect(map[cy * w + (w - 1)]).toBeCloseTo(wc[1], 6);
    // Inside a disc: only the class weight.
    expect(map[cy * w + c1]).toBeCloseTo(wc[2], 6);
  });

  it('balances classes so the mean weight of labelled pixels is 1', () => {
    const wc = classBalanceWeights(labels);
    let sum = 0;
    let count = 0;
    for (const l of labels) {
      if (l === 0) continue;
      sum += wc[l];
      count++;
    }
    expect(sum / count).toBeCloseTo(1, 10);
    expect(wc[0]).toBe(0);
  });

  it('finds exact nearest and second-nearest distances within the cutoff', () => {
    const { d1, d2 } = nearestObjectDistances(objects, w, h, 100);
    const pts: [number, number][][] = [[], [], []];
    for (let i = 0; i < objects.length; i++) if (objects[i]) pts[objects[i]].push([i % w, Math.floor(i / w)]);
    for (const i of [0, cy * w + c1, cy * w + Math.floor((c1 + c2) / 2), 3 * w + 70, 39 * w + 40]) {
      const x = i % w;
      const y = Math.floor(i / w);
      const dist = [1, 2].map((k) => Math.min(...pts[k].map(([px, py]) => Math.hypot(px - x, py - y)))).sort((a, b) => a - b);
      expect(d1[i]).toBeCloseTo(dist[0], 4);
      expect(d2[i]).toBeCloseTo(dist[1], 4);
    }
  });

  it('rejects labels outside the partial format', () => {
    const bad = new Uint8Array(4).fill(3);
    expect(() => borderWeights({ width: 2, height: 2, labels: bad, objects: new Uint8Array(4) })).toThrow(/partial format/);
  });
});
