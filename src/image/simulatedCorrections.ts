/**
 * Simulated user corrections for the fine-tuning benchmark (bench/finetune.ts): partial labels (0 unlabelled,
 * 1 background, 2 foreground) taken from a dense ground truth the way a user would paint them. Two styles:
 * dense squares (the user labels a few patches completely, at random or around places the model gets
 * wrong) and scribbles along the centre
 * lines of the largest errors of the current prediction (the user paints over what the model got wrong).
 * Every label is copied from the truth, so the corrections are always right; what varies is where they are.
 */
import { connectedComponents } from './components';
import { distanceTransform } from './distanceTransform';

/** Default ceiling of the painted share of an image (the benchmark's "<= 15% of each image"). */
export const defaultMaxCorrectionFraction = 0.15;

/** Options of {@link squareCorrections}. */
export interface SquareCorrectionOptions {
  /** Number of squares. */
  readonly count: number;
  /** Side of each square in pixels. */
  readonly side: number;
  /** Uniform numbers in [0, 1) that place the squares (pass a seeded generator for reproducible runs). */
  readonly random: () => number;
  /** Unlabelled pixels kept between squares, so each square is its own painted region (default 1). */
  readonly gap?: number;
  /** Largest share of the image the squares may cover (default 0.15). */
  readonly maxFraction?: number;
  /**
   * Pixel indices to centre squares on (e.g. where the model is wrong): each square is centred on one
   * drawn at random, shifted inside the image. Without them, or when no separate place is found among
   * them, squares go anywhere.
   */
  readonly centres?: ArrayLike<number>;
}

/** Options of {@link scribbleCorrections}. */
export interface ScribbleOptions {
  /** Stroke half-width: a stroke is 2 * radius + 1 px wide (default 1). */
  readonly radius?: number;
  /** At most this many error regions get a stroke (default 30). */
  readonly maxStrokes?: number;
  /** Error regions smaller than this are ignored: a user does not chase single pixels (default 10). */
  readonly minRegionSize?: number;
  /** Largest share of the image the strokes may cover (default 0.15). */
  readonly maxFraction?: number;
  /**
   * Wrong pixels within this distance (px, between pixel centres) of a pixel the truth gives the other
   * class are not chased (default 0: every wrong pixel counts). An edge placed 1-2 px away from the
   * annotator's is invisible at the zoom a user paints at, and on EM it is mostly the annotation's own
   * convention (README: "Why the EM pixel error stays at 0.08"); errors a user sees and paints over are the
   * ones away from the true edge: a membrane gap, a missed nucleus, a vesicle taken for membrane.
   */
  readonly edgeTolerance?: number;
}

function checkTruth(truth: Uint8Array, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`image must be at least 1x1, got ${width}x${height}`);
  }
  if (truth.length !== width * height) throw new RangeError(`truth has ${truth.length} values, expected ${width}x${height}`);
  for (let i = 0; i < truth.length; i++) {
    if (truth[i] !== 1 && truth[i] !== 2) {
      throw new RangeError(`truth must be dense partial labels (1 background, 2 foreground); pixel ${i} is ${truth[i]}`);
    }
  }
}

function checkFraction(maxFraction: number): void {
  if (!(maxFraction > 0 && maxFraction <= 1)) throw new RangeError(`maxFraction must be in (0, 1], got ${maxFraction}`);
}

/**
 * `count` non-overlapping squares of side `side` at random places, labelled from `truth` (dense partial
 * labels, 1 or 2 everywhere). Squares keep `gap` pixels apart so that each is one painted region.
 * @throws RangeError when the squares would cover more than maxFraction of the image or do not fit.
 */
export function squareCorrections(truth: Uint8Array, width: number, height: number, options: SquareCorrectionOptions): Uint8Array {
  checkTruth(truth, width, height);
  const { count, side, random } = options;
  const gap = options.gap ?? 1;
  const maxFraction = options.maxFraction ?? defaultMaxCorrectionFraction;
  checkFraction(maxFraction);
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${count}`);
  if (!Number.isInteger(side) || side < 1 || side > width || side > height) {
    throw new RangeError(`side must be an integer in [1, ${Math.min(width, height)}], got ${side}`);
  }
  if (count * side * side > maxFraction * width * height) {
    throw new RangeError(
      `${count} squares of ${side} px cover ${((100 * count * side * side) / (width * height)).toFixed(1)}% of a ${width}x${height} image, ` +
        `more than ${(100 * maxFraction).toFixed(1)}%`,
    );
  }
  const placed: { x: number; y: number }[] = [];
  const apart = (a: { x: number; y: number }, b: { x: number; y: number }): boolean =>
    a.x + side + gap <= b.x || b.x + side + gap <= a.x || a.y + side + gap <= b.y || b.y + side + gap <= a.y;
  const centres = options.centres;
  const anywhere = (): { x: number; y: number } => ({ x: Math.floor(random() * (width - side + 1)), y: Math.floor(random() * (height - side + 1)) });
  const around = (c: number): { x: number; y: number } => {
    const clamp = (v: number, size: number): number => Math.min(size - side, Math.max(0, v - Math.floor(side / 2)));
    return { x: clamp(c % width, width), y: clamp(Math.floor(c / width), height) };
  };
  // Rejection sampling: at <= 15% coverage a free place is found within a few tries; around the given
  // centres first, then anywhere.
  const tries = 1000 * count;
  for (let t = 0; placed.length < count && t < 2 * tries; t++) {
    const useCentres = centres !== undefined && centres.length > 0 && t < tries;
    const candidate = useCentres ? around(centres[Math.floor(random() * centres.length)]) : anywhere();
    if (placed.every((p) => apart(p, candidate))) placed.push(candidate);
  }
  if (placed.length < count) throw new RangeError(`could not place ${count} separate squares of ${side} px in ${width}x${height}`);
  const labels = new Uint8Array(width * height);
  for (const { x, y } of placed) {
    for (let yy = y; yy < y + side; yy++) {
      const row = yy * width;
      labels.set(truth.subarray(row + x, row + x + side), row + x);
    }
  }
  return labels;
}

/**
 * Chamfer (3-4) distance of every pixel of `mask` to the nearest pixel outside it (the image border counts
 * as outside), in units of 1/3 px. Two raster passes; exact enough to find centre lines.
 */
function chamferInside(mask: Uint8Array, width: number, height: number): Uint32Array {
  const big = 1 << 30;
  const d = new Uint32Array(width * height);
  for (let i = 0; i < d.length; i++) d[i] = mask[i] ? big : 0;
  const at = (x: number, y: number): number => (x < 0 || y < 0 || x >= width || y >= height ? 0 : d[y * width + x]);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!d[i]) continue;
      d[i] = Math.min(d[i], at(x - 1, y) + 3, at(x, y - 1) + 3, at(x - 1, y - 1) + 4, at(x + 1, y - 1) + 4);
    }
  }
  for (let y = height - 1; y >= 0; y--) {
    for (let x = width - 1; x >= 0; x--) {
      const i = y * width + x;
      if (!d[i]) continue;
      d[i] = Math.min(d[i], at(x + 1, y) + 3, at(x, y + 1) + 3, at(x + 1, y + 1) + 4, at(x - 1, y + 1) + 4);
    }
  }
  return d;
}

/** One error region: its pixels and the class the truth gives them. */
interface ErrorRegion {
  readonly pixels: number[];
  readonly cls: 1 | 2;
}

/**
 * Connected (4-) regions where the prediction disagrees with the truth, largest first, leaving out wrong
 * pixels within `edgeTolerance` px of the truth's other class.
 */
function errorRegions(
  truth: Uint8Array,
  predicted: ArrayLike<number>,
  width: number,
  height: number,
  minSize: number,
  edgeTolerance: number,
): ErrorRegion[] {
  const regions: ErrorRegion[] = [];
  for (const cls of [1, 2] as const) {
    // Distance of each pixel to the truth's other class (only computed when an edge band is left out).
    const toOther = edgeTolerance > 0 ? distanceTransform(truth.map((v) => (v !== cls ? 1 : 0)), width, height) : null;
    // cls 2: missed foreground (truth 2, predicted background); cls 1: false foreground.
    const mask = new Uint8Array(truth.length);
    for (let i = 0; i < mask.length; i++) {
      const wrong = truth[i] === cls && (predicted[i] !== 0) !== (cls === 2);
      mask[i] = wrong && (toOther === null || toOther[i] > edgeTolerance) ? 1 : 0;
    }
    const { labels, count, sizes } = connectedComponents(mask, width, height, { connectivity: 4 });
    const members: number[][] = Array.from({ length: count + 1 }, () => []);
    for (let i = 0; i < labels.length; i++) if (labels[i]) members[labels[i]].push(i);
    for (let k = 1; k <= count; k++) if (sizes[k] >= minSize) regions.push({ pixels: members[k], cls });
  }
  // Ties by class then first pixel, so the order does not depend on the sort's stability.
  return regions.sort((a, b) => b.pixels.length - a.pixels.length || a.cls - b.cls || a.pixels[0] - b.pixels[0]);
}

/** The centre line of a region: its pixels whose distance to the outside is a local maximum (8-neighbours). */
function centreLine(region: ErrorRegion, width: number, height: number): number[] {
  const mask = new Uint8Array(width * height);
  for (const i of region.pixels) mask[i] = 1;
  const d = chamferInside(mask, width, height);
  return region.pixels.filter((i) => {
    const x = i % width;
    const y = (i - x) / width;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        const yy = y + dy;
        if ((dx || dy) && xx >= 0 && yy >= 0 && xx < width && yy < height && d[yy * width + xx] > d[i]) return false;
      }
    }
    return true;
  });
}

/**
 * Strokes along the centre lines of the largest error regions of `predicted` (nonzero = foreground;
 * optionally only the errors more than `edgeTolerance` px from the true edge),
 * each painted `2 * radius + 1` px wide with the region's true class, kept only where the truth has that
 * class (a careful user) and where nothing is painted yet. Regions are taken largest first while the
 * painted share stays within maxFraction; a stroke that would exceed it is skipped.
 */
export function scribbleCorrections(
  truth: Uint8Array,
  predicted: ArrayLike<number>,
  width: number,
  height: number,
  options: ScribbleOptions = {},
): Uint8Array {
  checkTruth(truth, width, height);
  if (predicted.length !== truth.length) throw new RangeError(`prediction has ${predicted.length} values, expected ${truth.length}`);
  const radius = options.radius ?? 1;
  const maxStrokes = options.maxStrokes ?? 30;
  const maxFraction = options.maxFraction ?? defaultMaxCorrectionFraction;
  checkFraction(maxFraction);
  if (!Number.isInteger(radius) || radius < 0) throw new RangeError(`radius must be a non-negative integer, got ${radius}`);
  const edgeTolerance = options.edgeTolerance ?? 0;
  if (!(edgeTolerance >= 0)) throw new RangeError(`edgeTolerance must be >= 0, got ${edgeTolerance}`);
  const budget = Math.floor(maxFraction * width * height);
  const labels = new Uint8Array(width * height);
  let painted = 0;
  let strokes = 0;
  for (const region of errorRegions(truth, predicted, width, height, options.minRegionSize ?? 10, edgeTolerance)) {
    if (strokes >= maxStrokes) break;
    const stroke = new Set<number>();
    for (const c of centreLine(region, width, height)) {
      const cx = c % width;
      const cy = (c - cx) / width;
      for (let dy = -radius; dy <= radius; dy++) {
        for (let dx = -radius; dx <= radius; dx++) {
          const x = cx + dx;
          const y = cy + dy;
          if (dx * dx + dy * dy > radius * radius + radius || x < 0 || y < 0 || x >= width || y >= height) continue;
          const i = y * width + x;
          if (truth[i] === region.cls && labels[i] === 0) stroke.add(i);
        }
      }
    }
    if (stroke.size === 0 || painted + stroke.size > budget) continue;
    for (const i of stroke) labels[i] = region.cls;
    painted += stroke.size;
    strokes++;
  }
  return labels;
}

/** Share of pixels that carry a label (1 or 2). */
export function labelledFraction(labels: Uint8Array): number {
  let n = 0;
  for (const v of labels) if (v !== 0) n++;
  return labels.length === 0 ? 0 : n / labels.length;
}
