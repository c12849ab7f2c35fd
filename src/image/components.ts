/**
 * Instances from a foreground map: threshold, connected components (two-pass union-find), minimum
 * object size. Linear time, typed arrays only; a 4096x4096 mask takes well under a second.
 */

/** Options of {@link connectedComponents} and {@link thresholdComponents}. */
export interface ComponentOptions {
  /** 4 (edge neighbours, the default) or 8 (also diagonal neighbours). */
  readonly connectivity?: 4 | 8;
  /** Objects with fewer pixels become background (0). Default 0: keep all. */
  readonly minSize?: number;
}

/** A labelled image: 0 = background, 1..count = objects numbered in scan order of their first pixel. */
export interface Components {
  readonly width: number;
  readonly height: number;
  readonly labels: Uint32Array;
  readonly count: number;
  /** sizes[k] = pixels of object k (sizes[0] = background pixels). Length count + 1. */
  readonly sizes: Uint32Array;
}

/**
 * Labels the connected components of the nonzero pixels of `mask`.
 * @throws RangeError when mask.length !== width * height.
 */
export function connectedComponents(
  mask: ArrayLike<number>,
  width: number,
  height: number,
  options: ComponentOptions = {},
): Components {
  return label((i) => mask[i] !== 0, mask.length, width, height, options);
}

/** Objects where probability >= threshold (the same rule as the binary mask export). */
export function thresholdComponents(
  probability: ArrayLike<number>,
  width: number,
  height: number,
  threshold = 0.5,
  options: ComponentOptions = {},
): Components {
  return label((i) => probability[i] >= threshold, probability.length, width, height, options);
}

function label(
  isFg: (i: number) => boolean,
  length: number,
  width: number,
  height: number,
  options: ComponentOptions,
): Components {
  const n = width * height;
  if (length !== n) throw new RangeError(`mask has ${length} values, expected ${width}x${height} = ${n}`);
  const eight = (options.connectivity ?? 4) === 8;
  const labels = new Uint32Array(n);
  // Worst case of provisional labels: a checkerboard (4-conn) gives ceil(n/2).
  let parent = new Uint32Array(Math.min(n, 1024) + 2);
  let next = 1;
  const find = (a: number): number => {
    while (parent[a] !== a) {
      parent[a] = parent[parent[a]]; // path halving
      a = parent[a];
    }
    return a;
  };
  // Keep the smaller label as root, so roots are in scan order of first appearance.
  const union = (a: number, b: number): number => {
    const ra = find(a);
    const rb = find(b);
    if (ra < rb) {
      parent[rb] = ra;
      return ra;
    }
    parent[ra] = rb;
    return rb;
  };
  const fresh = (): number => {
    if (next >= parent.length) {
      const grown = new Uint32Array(Math.min(Math.ceil(n / 2) + 2, parent.length * 2));
      grown.set(parent);
      parent = grown;
    }
    parent[next] = next;
    return next++;
  };

  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      if (!isFg(i)) continue;
      const w = x > 0 ? labels[i - 1] : 0;
      const nn = y > 0 ? labels[i - width] : 0;
      if (!eight) {
        if (nn && w) labels[i] = nn === w ? nn : union(nn, w);
        else labels[i] = nn || w || fresh();
        continue;
      }
      // 8-connectivity: N touches W, NW and NE, so it alone decides; otherwise NE may join W or NW.
      if (nn) {
        labels[i] = nn;
        continue;
      }
      const nw = x > 0 && y > 0 ? labels[i - width - 1] : 0;
      const ne = x + 1 < width && y > 0 ? labels[i - width + 1] : 0;
      const left = w || nw;
      if (ne && left) labels[i] = ne === left ? ne : union(ne, left);
      else labels[i] = ne || left || fresh();
    }
  }

  // Flatten: a root gets the next final id; a non-root copies its (smaller, already final) root's id.
  const final = new Uint32Array(next);
  let count = 0;
  for (let k = 1; k < next; k++) final[k] = parent[k] === k ? ++count : final[find(k)];
  const sizes = new Uint32Array(count + 1);
  for (let i = 0; i < n; i++) {
    const f = final[labels[i]];
    labels[i] = f;
    sizes[f]++;
  }
  const minSize = options.minSize ?? 0;
  if (minSize <= 1 || count === 0) return { width, height, labels, count, sizes };
  return removeSmall({ width, height, labels, count, sizes }, minSize);
}

/**
 * Sets objects with fewer than `minSize` pixels to background and renumbers the rest 1..k, keeping
 * their order. Returns a new Components; the input labels array is reused and modified.
 */
export function removeSmall(c: Components, minSize: number): Components {
  const remap = new Uint32Array(c.count + 1);
  let kept = 0;
  for (let k = 1; k <= c.count; k++) if (c.sizes[k] >= minSize) remap[k] = ++kept;
  if (kept === c.count) return c;
  const sizes = new Uint32Array(kept + 1);
  const labels = c.labels;
  for (let i = 0; i < labels.length; i++) {
    const f = remap[labels[i]];
    labels[i] = f;
    sizes[f]++;
  }
  return { width: c.width, height: c.height, labels, count: kept, sizes };
}
