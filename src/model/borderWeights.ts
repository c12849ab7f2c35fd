/**
 * The U-Net weight map (Ronneberger et al. 2015, eq. 2):
 *
 *   w(x) = w_c(x) + w0 * exp(-(d1(x) + d2(x))^2 / (2 sigma^2))
 *
 * w_c balances the class frequencies, d1 / d2 are the distances to the nearest and second-nearest object.
 * The second term forces the network to learn the thin background gaps between touching objects, which
 * is what lets connected components split them afterwards.
 *
 * Choices, and why:
 * - Labels are in the partial format (0 = unlabelled, 1 = background, 2 = foreground). Unlabelled pixels
 *   get weight 0 so that sparse paintings train only where the user has spoken.
 * - The border term is added only to labelled pixels that are not object pixels, i.e. the gaps: that is
 *   where the paper's Fig. 3d puts it, and inside an object d1 = 0 would otherwise give an object's rim the
 *   same boost as the gap, moving the maximum off the separating border.
 * - d1, d2 are exact Euclidean distances. Each object's distance transform is computed only in its bounding
 *   box grown by a cutoff R, where w0 * exp(-R^2 / (2 sigma^2)) <= `tolerance`: if the true d2 exceeds R
 *   the term is below `tolerance` and is dropped; otherwise both objects' windows contain the pixel and
 *   the distances found are exact. This keeps the cost at (object size + 2R)^2 per object.
 */
import { squaredDistanceTransform } from './distanceTransform';

/** Parameters of the weight map (paper defaults). */
export interface BorderWeightOptions {
  /** Amplitude of the border term (paper: 10). */
  readonly w0?: number;
  /** Width of the border term in pixels (paper: about 5). */
  readonly sigma?: number;
  /** Balance class frequencies over labelled pixels (w_c); false gives w_c = 1. */
  readonly balanceClasses?: boolean;
  /** Border-term values below this are treated as 0 (sets the exactness window, default 1e-3). */
  readonly tolerance?: number;
}

/** A labelled plane in the partial format plus the objects whose gaps the border term emphasises. */
export interface WeightMapInput {
  readonly width: number;
  readonly height: number;
  /** Partial labels: 0 = unlabelled, 1 = background, 2 = foreground. */
  readonly labels: Uint8Array;
  /** Object id per pixel (0 = none), e.g. nuclei or, for membranes, the cells between membranes. */
  readonly objects: ArrayLike<number>;
}

/** Defaults of the paper: w0 = 10, sigma = 5 px. */
export const defaultBorderWeightOptions: Required<BorderWeightOptions> = {
  w0: 10,
  sigma: 5,
  balanceClasses: true,
  tolerance: 1e-3,
};

/**
 * Class-balancing weight per class over labelled pixels: N / (K * N_c), so that the mean of w_c over
 * labelled pixels is 1 and each present class contributes equally to the loss. Index 0 (unlabelled) is 0.
 */
export function classBalanceWeights(labels: Uint8Array, classes = 2): Float64Array {
  const counts = new Float64Array(classes + 1);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (c > classes) throw new RangeError(`label value ${c} at pixel ${i} is not in the partial format 0..${classes}`);
    counts[c]++;
  }
  const out = new Float64Array(classes + 1);
  let total = 0;
  let present = 0;
  for (let c = 1; c <= classes; c++) {
    total += counts[c];
    if (counts[c] > 0) present++;
  }
  for (let c = 1; c <= classes; c++) out[c] = counts[c] > 0 ? total / (present * counts[c]) : 0;
  return out;
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Bounding boxes of the objects, indexed by object id (ids need not be consecutive). */
function objectBoxes(objects: ArrayLike<number>, width: number, height: number): Map<number, Box> {
  const boxes = new Map<number, Box>();
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const id = objects[y * width + x];
      if (id === 0) continue;
      const b = boxes.get(id);
      if (b === undefined) boxes.set(id, { x0: x, y0: y, x1: x, y1: y });
      else {
        if (x < b.x0) b.x0 = x;
        if (x > b.x1) b.x1 = x;
        if (y > b.y1) b.y1 = y;
      }
    }
  }
  return boxes;
}

/**
 * Distances from every pixel to its nearest and second-nearest object (d1 <= d2), exact wherever
 * d2 <= cutoff and Infinity beyond. Distances are between pixel centres; 0 on the object itself.
 */
export function nearestObjectDistances(
  objects: ArrayLike<number>,
  width: number,
  height: number,
  cutoff: number,
): { d1: Float32Array; d2: Float32Array } {
  if (objects.length !== width * height) {
    throw new RangeError(`object map has ${objects.length} pixels, expected ${width * height}`);
  }
  const n = width * height;
  // Squared distances keep the comparisons exact; sqrt once at the end.
  const s1 = new Float64Array(n).fill(Infinity);
  const s2 = new Float64Array(n).fill(Infinity);
  const r = Math.ceil(cutoff);
  const r2 = cutoff * cutoff;
  for (const [id, b] of objectBoxes(objects, width, height)) {
    const x0 = Math.max(0, b.x0 - r);
    const y0 = Math.max(0, b.y0 - r);
    const ww = Math.min(width - 1, b.x1 + r) - x0 + 1;
    const wh = Math.min(height - 1, b.y1 + r) - y0 + 1;
    // The window holds every pixel of this object, so its distance transform is the exact distance
    // to the object for every pixel in the window.
    const sq = squaredDistanceTransform(ww, wh, (i) => objects[(y0 + Math.floor(i / ww)) * width + x0 + (i % ww)] === id);
    for (let wy = 0; wy < wh; wy++) {
      const row = (y0 + wy) * width + x0;
      for (let wx = 0; wx < ww; wx++) {
        const d = sq[wy * ww + wx];
        if (d > r2) continue;
        const i = row + wx;
        if (d < s1[i]) {
          s2[i] = s1[i];
          s1[i] = d;
        } else if (d < s2[i]) s2[i] = d;
      }
    }
  }
  const d1 = new Float32Array(n);
  const d2 = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    d1[i] = Math.sqrt(s1[i]);
    d2[i] = Math.sqrt(s2[i]);
  }
  return { d1, d2 };
}

/**
 * The weight map w(x) of the paper for one labelled plane. Unlabelled pixels get 0; labelled pixels get
 * their class weight w_c, and labelled non-object pixels (the gaps) additionally the border term
 * w0 * exp(-(d1 + d2)^2 / (2 sigma^2)).
 */
export function borderWeights(input: WeightMapInput, options: BorderWeightOptions = {}): Float32Array {
  const { w0, sigma, balanceClasses, tolerance } = { ...defaultBorderWeightOptions, ...options };
  const { width, height, labels, objects } = input;
  const n = width * height;
  if (labels.length !== n) throw new RangeError(`labels have ${labels.length} pixels, expected ${width}x${height}`);
  if (!(sigma > 0)) throw new RangeError(`sigma must be > 0, got ${sigma}`);
  if (!(w0 >= 0)) throw new RangeError(`w0 must be >= 0, got ${w0}`);
  if (!(tolerance > 0)) throw new RangeError(`tolerance must be > 0, got ${tolerance}`);
  const wc = balanceClasses ? classBalanceWeights(labels) : Float64Array.of(0, 1, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = wc[labels[i]];
  if (w0 === 0 || tolerance >= w0) return out;
  // (d1 + d2) <= cutoff wherever the border term exceeds the tolerance; then d2 <= cutoff as well.
  const cutoff = sigma * Math.sqrt(2 * Math.log(w0 / tolerance));
  const { d1, d2 } = nearestObjectDistances(objects, width, height, cutoff);
  const twoSigma2 = 2 * sigma * sigma;
  for (let i = 0; i < n; i++) {
    if (labels[i] === 0 || objects[i] !== 0) continue;
    const s = d1[i] + d2[i];
    if (s <= cutoff) out[i] += w0 * Math.exp(-(s * s) / twoSigma2);
  }
  return out;
}
