/**
 * Data augmentation of the U-Net paper (section 3.1): shifts, rotations, flips, grey-value changes and
 * elastic deformations from random displacement vectors on a coarse 3x3 grid (Gaussian, 10 px standard
 * deviation) interpolated bicubically to per-pixel displacements.
 *
 * Every geometric transform is folded into one inverse mapping from a training-tile pixel to a source
 * position, and the image, labels and weights are all read through that same mapping: they cannot drift
 * apart, and the tile is cut out of the (large) source image in one pass without intermediate copies.
 * The image is resampled bilinearly (mirrored beyond the border, like overlap-tile inference); labels and
 * weights by nearest neighbour so that no new label values appear; positions outside the source are
 * unlabelled (weight 0) so that the mirror images never teach the network made-up objects.
 */
import { gaussianBlur } from '../image/smooth';
import { createRng, type Rng } from './random';

/** Augmentation settings. All default to off; `defaultAugmentation` has the paper's values. */
export interface AugmentOptions {
  /** Random multiples of 90 degrees. */
  readonly rotate90?: boolean;
  /** Random horizontal flip (with rotations this covers all 8 symmetries of the square). */
  readonly flip?: boolean;
  /** Standard deviation (px) of the coarse-grid displacements; 0 disables elastic deformation. */
  readonly elasticSigma?: number;
  /** Nodes per side of the coarse displacement grid (paper: 3). */
  readonly elasticGrid?: number;
  /** Multiplicative grey change: gain drawn from [1 - gain, 1 + gain]. */
  readonly gain?: number;
  /** Additive grey change: offset drawn from [-offset, offset] (normalised units). */
  readonly offset?: number;
  /** Gamma drawn log-uniformly from [1 / (1 + gamma), 1 + gamma]. */
  readonly gamma?: number;
  /**
   * Scale augmentation: objects are magnified by a zoom drawn log-uniformly from [1 / zoom, zoom]
   * (e.g. 2: 0.5x-2x), so the model sees its objects at more sizes than the data holds. 0 or 1 = off.
   */
  readonly zoom?: number;
  /**
   * Defocus augmentation: the image tile is blurred with a Gaussian whose σ (tile px) is drawn uniformly
   * from [0, blur], so a model trained on sharp images still finds out-of-focus nuclei. 0 = off.
   */
  readonly blur?: number;
  /**
   * Camera-noise augmentation: Gaussian noise whose σ (normalised units) is drawn uniformly from [0, noise]
   * is added to every pixel of the image tile after the grey change, so a model trained on clean images
   * still separates nuclei from a grainy background. 0 = off.
   */
  readonly noise?: number;
}

/** The paper's augmentation with moderate grey-value changes. */
export const defaultAugmentation: Required<Omit<AugmentOptions, 'zoom' | 'blur' | 'noise'>> = {
  rotate90: true,
  flip: true,
  elasticSigma: 10,
  elasticGrid: 3,
  gain: 0.2,
  offset: 0.1,
  gamma: 0.3,
};

/** A source plane with its per-pixel labels and weights (all width x height, row-major). */
export interface AugmentSource {
  readonly width: number;
  readonly height: number;
  readonly image: Float32Array;
  readonly labels: Uint8Array;
  readonly weights: Float32Array;
  /**
   * Optional per-pixel class probabilities of a teacher model (distillation), read like the labels
   * (nearest neighbour on the output grid): k values per pixel, interleaved (width x height x k), for
   * classes 1..k of a (k+1)-class model (class 0 is what they leave).
   */
  readonly teacher?: Float32Array;
}

/** Where to cut the tile: centre in source pixel coordinates (integer or half-integer) and sizes. */
export interface TileRequest {
  /** Centre of both tiles in source coordinates; a tile of even size S spans centre ± S/2 - 1/2. */
  readonly centreX: number;
  readonly centreY: number;
  /** Side of the image tile (the network input). */
  readonly inputSize: number;
  /** Side of the label / weight tile (the network output), concentric with the image tile. */
  readonly outputSize: number;
}

/** An augmented training tile. */
export interface AugmentedTile {
  readonly image: Float32Array;
  readonly labels: Uint8Array;
  readonly weights: Float32Array;
  /** The source's teacher values on the output grid (k per pixel); -1 where the tile reads outside the image. */
  readonly teacher?: Float32Array;
}

/** The random draws that define one augmentation; exposed so tests can set them exactly. */
export interface AugmentDraw {
  /** Quarter turns, 0..3. */
  readonly rotation: number;
  readonly flip: boolean;
  /** Displacements (x, y) per coarse grid node, row-major, grid x grid; empty = no deformation. */
  readonly displacement: Float64Array;
  readonly grid: number;
  readonly gain: number;
  readonly offset: number;
  readonly gamma: number;
  /** Magnification of the tile content (>1: objects appear larger); absent = 1. */
  readonly zoom?: number;
  /** Gaussian σ (tile px) of the defocus blur; absent = none. */
  readonly blur?: number;
  /** σ of the added pixel noise and the seed of its values; absent = none. */
  readonly noise?: { readonly sigma: number; readonly seed: number };
}

/** Draws the random parameters of one augmentation from `rng`. */
export function drawAugmentation(options: AugmentOptions, rng: Rng): AugmentDraw {
  const grid = options.elasticGrid ?? 3;
  if (!Number.isInteger(grid) || grid < 2) throw new RangeError(`elasticGrid must be an integer >= 2, got ${grid}`);
  const sigma = options.elasticSigma ?? 0;
  const displacement = new Float64Array(sigma > 0 ? 2 * grid * grid : 0);
  for (let i = 0; i < displacement.length; i++) displacement[i] = sigma * rng.normal();
  const g = options.gain ?? 0;
  const o = options.offset ?? 0;
  const gm = options.gamma ?? 0;
  const z = options.zoom ?? 0;
  if (!(z >= 0) || (z > 0 && z < 1)) throw new RangeError(`zoom must be 0 (off) or >= 1, got ${z}`);
  const draw: AugmentDraw = {
    rotation: options.rotate90 ? rng.int(4) : 0,
    flip: options.flip ? rng.next() < 0.5 : false,
    displacement,
    grid,
    gain: g > 0 ? rng.uniform(1 - g, 1 + g) : 1,
    offset: o > 0 ? rng.uniform(-o, o) : 0,
    gamma: gm > 0 ? Math.exp(rng.uniform(-Math.log(1 + gm), Math.log(1 + gm))) : 1,
  };
  const b = options.blur ?? 0;
  if (!(b >= 0)) throw new RangeError(`blur must be >= 0, got ${b}`);
  const nz = options.noise ?? 0;
  if (!(nz >= 0)) throw new RangeError(`noise must be >= 0, got ${nz}`);
  // Drawn last and only when on, so runs without zoom, blur or noise keep their earlier random sequence.
  const zoomed = z > 1 ? { ...draw, zoom: Math.exp(rng.uniform(-Math.log(z), Math.log(z))) } : draw;
  const blurred = b > 0 ? { ...zoomed, blur: rng.uniform(0, b) } : zoomed;
  return nz > 0 ? { ...blurred, noise: { sigma: rng.uniform(0, nz), seed: rng.seed() } } : blurred;
}

/**
 * Catmull-Rom cubic through p1 (t = 0) and p2 (t = 1): the interpolating bicubic kernel (Keys, a = -0.5).
 * It reproduces the node values exactly, so a zero displacement grid gives exactly zero displacement.
 */
function cubic(p0: number, p1: number, p2: number, p3: number, t: number): number {
  return p1 + 0.5 * t * (p2 - p0 + t * (2 * p0 - 5 * p1 + 4 * p2 - p3 + t * (3 * (p1 - p2) + p3 - p0)));
}

/**
 * Dense displacement field (dx, dy interleaved) over a size x size tile, bicubically interpolated from the
 * grid x grid node displacements whose nodes span the tile corners. Missing neighbours beyond the grid are
 * extrapolated linearly so the field stays smooth up to the tile border.
 */
export function denseDisplacement(nodes: Float64Array, grid: number, size: number): Float32Array {
  const out = new Float32Array(2 * size * size);
  if (nodes.length === 0) return out;
  if (nodes.length !== 2 * grid * grid) throw new RangeError(`expected ${2 * grid * grid} node values, got ${nodes.length}`);
  const node = (gx: number, gy: number, c: number): number => {
    // Linear extrapolation one node beyond the grid on each side.
    if (gx < 0) return 2 * node(0, gy, c) - node(1, gy, c);
    if (gx >= grid) return 2 * node(grid - 1, gy, c) - node(grid - 2, gy, c);
    if (gy < 0) return 2 * node(gx, 0, c) - node(gx, 1, c);
    if (gy >= grid) return 2 * node(gx, grid - 1, c) - node(gx, grid - 2, c);
    return nodes[2 * (gy * grid + gx) + c];
  };
  // The extended node table ((grid + 2)^2 nodes, x fastest), looked up in the loops below: calling `node`
  // (and a closure per pixel) there made this 25x slower, the largest cost of a training step (issue 11).
  const g2 = grid + 2;
  const table = new Float64Array(g2 * g2 * 2);
  for (let gy = -1; gy <= grid; gy++) {
    for (let gx = -1; gx <= grid; gx++) for (let c = 0; c < 2; c++) table[((gy + 1) * g2 + gx + 1) * 2 + c] = node(gx, gy, c);
  }
  const scale = size > 1 ? (grid - 1) / (size - 1) : 0;
  // Interpolate along x for every grid row first (separable bicubic), then along y per pixel.
  const rows = new Float64Array((grid + 2) * size * 2);
  for (let gy = -1; gy <= grid; gy++) {
    for (let x = 0; x < size; x++) {
      const u = x * scale;
      const i = Math.min(grid - 2, Math.floor(u));
      const t = u - i;
      // Nodes i - 1 .. i + 2 of this row sit at table columns i .. i + 3.
      const at = ((gy + 1) * g2 + i) * 2;
      for (let c = 0; c < 2; c++) {
        rows[((gy + 1) * size + x) * 2 + c] = cubic(table[at + c], table[at + 2 + c], table[at + 4 + c], table[at + 6 + c], t);
      }
    }
  }
  const stride = size * 2;
  for (let y = 0; y < size; y++) {
    const v = y * scale;
    const j = Math.min(grid - 2, Math.floor(v));
    const t = v - j;
    // Rows j - 1 .. j + 2 sit at rows j .. j + 3 of `rows`.
    const r0 = j * stride;
    for (let k = 0; k < stride; k++) {
      out[y * stride + k] = cubic(rows[r0 + k], rows[r0 + stride + k], rows[r0 + 2 * stride + k], rows[r0 + 3 * stride + k], t);
    }
  }
  return out;
}

/** Adds N(0, sigma²) to every value, from its own generator so the noise depends on the draw alone. */
function addNoise(image: Float32Array, sigma: number, seed: number): void {
  const rng = createRng(seed);
  for (let i = 0; i < image.length; i++) image[i] += sigma * rng.normal();
}

/** x -> gain * x^gamma + offset (x^gamma on the non-negative part: normalised values may dip below 0). */
function greyValue(x: number, draw: AugmentDraw): number {
  return draw.gain * (x > 0 ? Math.pow(x, draw.gamma) : x) + draw.offset;
}

/** Mirror (reflect without repeating the edge pixel) an index into [0, n). */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - m;
}

/**
 * Cuts one augmented tile out of `source`. Tile pixel (u, v) has offset d = (u, v) - (S - 1) / 2 from the
 * tile centre; it reads the source at centre + (R d + e(u, v)) / zoom, where R is the rotation/flip and e the
 * elastic displacement evaluated in the image tile's frame (the label tile, being concentric, sees the
 * same field). Grey-value changes apply to the image only: x -> gain * x^gamma + offset (x^gamma on the
 * non-negative part, since normalised values may dip slightly below 0).
 */
export function augmentTile(source: AugmentSource, request: TileRequest, draw: AugmentDraw): AugmentedTile {
  const { width, height } = source;
  const { inputSize: si, outputSize: so, centreX, centreY } = request;
  if (!Number.isInteger(si) || !Number.isInteger(so) || so < 1 || si < so || (si - so) % 2 !== 0) {
    throw new RangeError(`tile sizes must be integers with input >= output and an even difference, got ${si} / ${so}`);
  }
  const n = width * height;
  if (source.image.length !== n || source.labels.length !== n || source.weights.length !== n) {
    throw new RangeError('augmentTile: image, labels and weights must all have width x height values');
  }
  const field = denseDisplacement(draw.displacement, draw.grid, si);
  const hasField = draw.displacement.length > 0;
  // Rotation by quarter turns (then optional flip of x) applied to the tile offset.
  const cos = [1, 0, -1, 0][draw.rotation & 3];
  const sin = [0, 1, 0, -1][draw.rotation & 3];
  const fx = draw.flip ? -1 : 1;
  // A zoom z magnifies: one tile pixel spans 1/z source pixels, for the offset and the elastic field alike.
  const zoom = draw.zoom ?? 1;
  if (!(zoom > 0)) throw new RangeError(`zoom must be positive, got ${zoom}`);
  const step = 1 / zoom;
  // Writes into `point` instead of returning a pair: an array per pixel was a third of this function's time.
  const point = new Float64Array(2);
  const mapPoint = (u: number, v: number, size: number, margin: number): void => {
    const du = (u - (size - 1) / 2) * fx;
    const dv = v - (size - 1) / 2;
    let ox = cos * du - sin * dv;
    let oy = sin * du + cos * dv;
    if (hasField) {
      const k = ((v + margin) * si + (u + margin)) * 2;
      ox += field[k];
      oy += field[k + 1];
    }
    point[0] = centreX + ox * step;
    point[1] = centreY + oy * step;
  };

  const image = new Float32Array(si * si);
  const blur = draw.blur ?? 0;
  // The blur acts on the sampled intensities (defocus happens before any camera response), so the grey
  // change waits until after it when both are on.
  const grey = draw.gain !== 1 || draw.offset !== 0 || draw.gamma !== 1;
  const greyNow = grey && !(blur > 0);
  for (let v = 0; v < si; v++) {
    for (let u = 0; u < si; u++) {
      mapPoint(u, v, si, 0);
      const x = point[0];
      const y = point[1];
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const tx = x - x0;
      const ty = y - y0;
      const xa = reflect(x0, width);
      const xb = reflect(x0 + 1, width);
      const ya = reflect(y0, height) * width;
      const yb = reflect(y0 + 1, height) * width;
      const img = source.image;
      let val =
        (1 - ty) * ((1 - tx) * img[ya + xa] + tx * img[ya + xb]) + ty * ((1 - tx) * img[yb + xa] + tx * img[yb + xb]);
      if (greyNow) val = greyValue(val, draw);
      image[v * si + u] = val;
    }
  }
  if (blur > 0) {
    image.set(gaussianBlur(image, si, si, blur));
    if (grey) for (let i = 0; i < image.length; i++) image[i] = greyValue(image[i], draw);
  }
  if (draw.noise !== undefined && draw.noise.sigma > 0) addNoise(image, draw.noise.sigma, draw.noise.seed);

  const labels = new Uint8Array(so * so);
  const weights = new Float32Array(so * so);
  const teacherSource = source.teacher;
  const k = teacherSource === undefined ? 0 : teacherSource.length / n;
  if (teacherSource !== undefined && (!Number.isInteger(k) || k < 1)) {
    throw new RangeError('augmentTile: teacher must have width x height x k values');
  }
  const teacher = teacherSource === undefined ? undefined : new Float32Array(so * so * k).fill(-1);
  const margin = (si - so) / 2;
  for (let v = 0; v < so; v++) {
    for (let u = 0; u < so; u++) {
      mapPoint(u, v, so, margin);
      const x = point[0];
      const y = point[1];
      const xi = Math.round(x);
      const yi = Math.round(y);
      if (xi < 0 || yi < 0 || xi >= width || yi >= height) continue;
      const s = yi * width + xi;
      labels[v * so + u] = source.labels[s];
      weights[v * so + u] = source.weights[s];
      if (teacher !== undefined && teacherSource !== undefined) {
        for (let c = 0; c < k; c++) teacher[(v * so + u) * k + c] = teacherSource[s * k + c];
      }
    }
  }
  return teacher === undefined ? { image, labels, weights } : { image, labels, weights, teacher };
}
