import type { Components } from './components';
import { checkPlane } from './neighbours';

/**
 * Region clean-up after a watershed: small fragments join the neighbour they share the longest border
 * with (over-segmentation leaves slivers along crests), isolated small objects are dropped, and ids are
 * made consecutive.
 */

/**
 * Renumbers the nonzero ids of `labels` to 1..count in scan order of their first pixel (in place) and
 * counts the pixels of each.
 */
export function relabelSequential(labels: Uint32Array, width: number, height: number): Components {
  checkPlane('labels', labels.length, width, height);
  const remap = new Map<number, number>();
  const sizes: number[] = [0];
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (v === 0) {
      sizes[0]++;
      continue;
    }
    let k = remap.get(v);
    if (k === undefined) {
      k = sizes.length;
      remap.set(v, k);
      sizes.push(0);
    }
    labels[i] = k;
    sizes[k]++;
  }
  return { width, height, labels, count: sizes.length - 1, sizes: Uint32Array.from(sizes) };
}

/**
 * Regions with fewer than `minSize` pixels are merged into the 4-neighbouring region with which they
 * share the most pixel edges (ties: the smaller id); a small region with no neighbouring region becomes
 * background. Smallest regions go first, so a sliver joins its neighbour before that neighbour is
 * judged. Returns consecutive labels (a new array).
 */
export function mergeSmallRegions(labels: ArrayLike<number>, width: number, height: number, minSize: number): Components {
  checkPlane('labels', labels.length, width, height);
  const out = Uint32Array.from(labels);
  const base = relabelSequential(out, width, height);
  if (minSize <= 1 || base.count === 0) return base;
  const n = base.count;
  const size = Float64Array.from(base.sizes);
  // Shared-border lengths between regions, per region (symmetric).
  const border: Map<number, number>[] = Array.from({ length: n + 1 }, () => new Map<number, number>());
  const touch = (a: number, b: number): void => {
    if (a === 0 || b === 0 || a === b) return;
    border[a].set(b, (border[a].get(b) ?? 0) + 1);
    border[b].set(a, (border[b].get(a) ?? 0) + 1);
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (x + 1 < width) touch(out[i], out[i + 1]);
      if (y + 1 < height) touch(out[i], out[i + width]);
    }
  }
  const target = new Uint32Array(n + 1); // 0 = keeps its id; else merged into target (chain-followed)
  const order = Array.from({ length: n }, (_, k) => k + 1).sort((a, b) => size[a] - size[b] || a - b);
  const dropped = new Uint8Array(n + 1);
  for (const a of order) {
    if (size[a] >= minSize) continue;
    let best = 0;
    let bestLen = 0;
    for (const [b, len] of border[a]) if (len > bestLen || (len === bestLen && b < best)) [best, bestLen] = [b, len];
    if (best === 0) {
      dropped[a] = 1;
      continue;
    }
    target[a] = best;
    size[best] += size[a];
    for (const [c, len] of border[a]) {
      border[c].delete(a);
      if (c === best) continue;
      border[best].set(c, (border[best].get(c) ?? 0) + len);
      border[c].set(best, (border[c].get(best) ?? 0) + len);
    }
    border[a].clear();
  }
  const resolve = (a: number): number => {
    while (target[a] !== 0) a = target[a];
    return dropped[a] ? 0 : a;
  };
  const final = new Uint32Array(n + 1);
  for (let k = 1; k <= n; k++) final[k] = resolve(k);
  for (let i = 0; i < out.length; i++) out[i] = final[out[i]];
  return relabelSequential(out, width, height);
}
