/**
 * Exact Euclidean distance transform (Felzenszwalb & Huttenlocher 2012, "Distance Transforms of Sampled
 * Functions"). The U-Net border weights need exact distances to the nearest and second-nearest object:
 * a blur or a chamfer approximation would shift the ridge of the weight map off the gap between touching
 * cells. Splitting touching nuclei (postProcessing.ts) floods the same distances from their h-maxima.
 * The algorithm is separable (1-D lower envelope of parabolas along columns, then rows) and runs in
 * O(width * height), so it is cheap enough to call once per object.
 */

/**
 * 1-D squared distance transform of the sampled function f (Infinity = no feature) into d, reading
 * f[offset + i*stride] for i < n. v, z are scratch buffers of length n and n + 1.
 */
function edt1d(
  f: Float64Array,
  d: Float64Array,
  n: number,
  offset: number,
  stride: number,
  v: Int32Array,
  z: Float64Array,
  g: Float64Array,
): void {
  // Copy the line so the envelope reads the input while d (which may alias f) is overwritten.
  let first = -1;
  for (let i = 0; i < n; i++) {
    g[i] = f[offset + i * stride];
    if (first < 0 && g[i] !== Infinity) first = i;
  }
  if (first < 0) {
    for (let i = 0; i < n; i++) d[offset + i * stride] = Infinity;
    return;
  }
  // Lower envelope of the parabolas y = (q - p)^2 + g[p] over the finite samples p only: an infinite
  // sample has no parabola, and skipping it avoids Infinity - Infinity = NaN in the intersection.
  let k = 0;
  v[0] = first;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = first + 1; q < n; q++) {
    if (g[q] === Infinity) continue;
    let s = (g[q] + q * q - (g[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    while (s <= z[k]) {
      k--;
      s = (g[q] + q * q - (g[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    const dq = q - v[k];
    d[offset + q * stride] = dq * dq + g[v[k]];
  }
}

/**
 * Squared Euclidean distance from every pixel to the nearest feature pixel (where `isFeature(i)`), in
 * pixel units. Pixels are unit squares; distances are between pixel centres. Infinity where the image
 * has no feature at all.
 */
export function squaredDistanceTransform(
  width: number,
  height: number,
  isFeature: (index: number) => boolean,
): Float64Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new RangeError(`invalid image size ${width}x${height}`);
  }
  const out = new Float64Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = isFeature(i) ? 0 : Infinity;
  const n = Math.max(width, height);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  const g = new Float64Array(n);
  // Columns first, then rows: the 2-D squared distance separates into the two 1-D passes.
  for (let x = 0; x < width; x++) edt1d(out, out, height, x, width, v, z, g);
  for (let y = 0; y < height; y++) edt1d(out, out, width, y * width, 1, v, z, g);
  return out;
}

/**
 * Euclidean distance from every pixel to the nearest non-zero pixel of `mask` (row-major, width x height).
 * Feature pixels get 0; Infinity everywhere if the mask is empty.
 */
export function distanceTransform(
  mask: ArrayLike<number>,
  width: number,
  height: number,
): Float32Array {
  if (mask.length !== width * height) {
    throw new RangeError(`mask has ${mask.length} pixels, expected ${width}x${height} = ${width * height}`);
  }
  const sq = squaredDistanceTransform(width, height, (i) => mask[i] !== 0);
  const out = new Float32Array(sq.length);
  for (let i = 0; i < sq.length; i++) out[i] = Math.sqrt(sq[i]);
  return out;
}
