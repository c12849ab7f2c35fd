/**
 * Painted labels -> training and held-out (validation) labels, split by region rather than by pixel.
 * Neighbouring pixels of one brush stroke are nearly the same sample; holding out random pixels would
 * score the model on pixels it was effectively trained on. A region is an 8-connected component of the
 * pixels of one class (a background stroke touching a foreground stroke makes two regions), and a region
 * is held out whole, so no held-out pixel touches a training pixel of its own region.
 *
 * One pure function shared by the app (which shows what is held out), the worker, the train CLI and the
 * benchmark, so that every caller splits the same labels the same way.
 */
import { connectedComponents } from './components';

/** Options of {@link splitRegions}. */
export interface RegionSplitOptions {
  /** Share of each class's painted pixels to hold out, in [0, 1) (default 0.2). */
  readonly fraction?: number;
  /** Seed of the region order (default 1). */
  readonly seed?: number;
}

/** Result of {@link splitRegions}: two disjoint label images in the partial format (0, 1, 2). */
export interface RegionSplit {
  /** Labels to train on. */
  readonly train: Uint8Array;
  /** Held-out labels (scored, never trained on). */
  readonly validation: Uint8Array;
  /** Regions found over both classes. */
  readonly regions: number;
  /** Regions held out. */
  readonly heldOutRegions: number;
}

/** Painted classes of the partial format: 1 background, 2 foreground. */
const CLASSES = [1, 2] as const;

/**
 * A seeded 32-bit integer hash (lowbias32 of Chris Wellons), mapped to [0, 1). Keyed by a region's first
 * pixel rather than drawn in sequence, so a region's place in the order depends on the region alone:
 * painting a new stroke elsewhere leaves the fate of the existing strokes (mostly) unchanged, instead of
 * reshuffling which strokes are held out.
 */
function regionKey(seed: number, firstPixel: number, cls: number): number {
  let x = (Math.imul(firstPixel, 3) + cls + Math.imul(seed | 0, 0x9e3779b9)) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return (x >>> 0) / 4294967296;
}

interface Region {
  readonly id: number;
  readonly size: number;
  readonly key: number;
}

/**
 * Which regions of one class to hold out: walk them in seeded key order and take a region while the
 * held-out pixels are below the target (fraction of the class's pixels) and taking it does not overshoot
 * to more than twice the target; always keep at least one region for training; and hold out at least one
 * (the smallest) when the walk took none, so that validation sees every class that has two regions.
 */
function chooseHeldOut(regions: readonly Region[], fraction: number): Set<number> {
  const chosen = new Set<number>();
  if (regions.length < 2 || fraction <= 0) return chosen;
  const total = regions.reduce((s, r) => s + r.size, 0);
  const target = fraction * total;
  let heldOut = 0;
  for (const r of [...regions].sort((a, b) => a.key - b.key)) {
    if (chosen.size === regions.length - 1 || heldOut >= target) break;
    if (heldOut + r.size > 2 * target) continue;
    chosen.add(r.id);
    heldOut += r.size;
  }
  if (chosen.size === 0) {
    const smallest = regions.reduce((a, b) => (b.size < a.size || (b.size === a.size && b.key < a.key) ? b : a));
    chosen.add(smallest.id);
  }
  return chosen;
}

/**
 * Splits painted labels (0 unlabelled, 1 background, 2 foreground) into training and held-out labels by
 * region. About `fraction` of each class's painted pixels are held out, as whole regions, for each class
 * that has at least two regions; with fewer than two regions in total nothing is held out.
 * @throws RangeError when labels.length !== width * height, a label is not 0/1/2, or fraction is outside [0, 1).
 */
export function splitRegions(labels: Uint8Array, width: number, height: number, options: RegionSplitOptions = {}): RegionSplit {
  const n = width * height;
  if (labels.length !== n) throw new RangeError(`labels have ${labels.length} values, expected ${width}x${height} = ${n}`);
  const fraction = options.fraction ?? 0.2;
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`validation fraction must be in [0, 1), got ${fraction}`);
  const seed = options.seed ?? 1;
  for (let i = 0; i < n; i++) {
    if (labels[i] > 2) throw new RangeError(`label ${labels[i]} at pixel ${i} is not 0 (unlabelled), 1 (background) or 2 (foreground)`);
  }

  const perClass = CLASSES.map((cls) => {
    const mask = new Uint8Array(n);
    for (let i = 0; i < n; i++) mask[i] = labels[i] === cls ? 1 : 0;
    const components = connectedComponents(mask, width, height, { connectivity: 8 });
    // Components are numbered in scan order of their first pixel, so one pass finds every first pixel.
    const first = new Int32Array(components.count + 1).fill(-1);
    for (let i = 0; i < n; i++) {
      const id = components.labels[i];
      if (id !== 0 && first[id] < 0) first[id] = i;
    }
    const regions: Region[] = [];
    for (let id = 1; id <= components.count; id++) {
      regions.push({ id, size: components.sizes[id], key: regionKey(seed, first[id], cls) });
    }
    return { cls, components, regions };
  });

  const regionCount = perClass.reduce((s, c) => s + c.regions.length, 0);
  const train = labels.slice();
  const validation = new Uint8Array(n);
  if (regionCount < 2) return { train, validation, regions: regionCount, heldOutRegions: 0 };

  let heldOutRegions = 0;
  for (const { cls, components, regions } of perClass) {
    const held = chooseHeldOut(regions, fraction);
    heldOutRegions += held.size;
    if (held.size === 0) continue;
    const isHeld = new Uint8Array(components.count + 1);
    for (const id of held) isHeld[id] = 1;
    for (let i = 0; i < n; i++) {
      if (isHeld[components.labels[i]]) {
        validation[i] = cls;
        train[i] = 0;
      }
    }
  }
  return { train, validation, regions: regionCount, heldOutRegions };
}
