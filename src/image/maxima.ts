import { checkPlane, neighbourOffsets, type Connectivity } from './neighbours';

/**
 * Regional maxima, morphological reconstruction and h-maxima (Soille, Morphological Image Analysis,
 * ch. 6) on float images. h-maxima are the seeds for splitting touching objects: a peak of the
 * distance map (or of a probability) becomes a seed only if it rises more than h above the saddle that
 * joins it to a higher peak, so noise on a plateau does not split an object.
 */

/** Labelled seed regions: 0 = none, 1..count. */
export interface Seeds {
  readonly labels: Uint32Array;
  readonly count: number;
}

/** Options shared by the functions here. */
export interface MaximaOptions {
  /** Neighbourhood; default 8 (peaks touching diagonally are one peak). */
  readonly connectivity?: Connectivity;
  /** Only pixels where the mask is nonzero take part; the rest count as -Infinity. */
  readonly mask?: ArrayLike<number>;
}

function restricted(f: ArrayLike<number>, mask: ArrayLike<number> | undefined, shift: number): Float64Array {
  const out = new Float64Array(f.length);
  for (let i = 0; i < out.length; i++) out[i] = mask && mask[i] === 0 ? -Infinity : f[i] - shift;
  return out;
}

/** A growable FIFO of pixel indices. */
function createFifo(): { push(p: number): void; shift(): number; readonly empty: boolean } {
  let queue = new Int32Array(1024);
  let head = 0;
  let tail = 0;
  return {
    push(p: number): void {
      if (tail === queue.length) {
        const live = tail - head;
        const next = new Int32Array(live * 2 + 1024);
        next.set(queue.subarray(head, tail));
        queue = next;
        head = 0;
        tail = live;
      }
      queue[tail++] = p;
    },
    shift: () => queue[head++],
    get empty() {
      return head >= tail;
    },
  };
}

/** Forward raster pass: each pixel takes the max of itself and its already visited neighbours (W, NW, N, NE), under the limit. */
function forwardPass(j: Float64Array, limit: Float64Array, width: number, height: number, eight: boolean): void {
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      let m = j[p];
      if (x > 0 && j[p - 1] > m) m = j[p - 1];
      if (y > 0) {
        if (j[p - width] > m) m = j[p - width];
        if (eight && x > 0 && j[p - width - 1] > m) m = j[p - width - 1];
        if (eight && x + 1 < width && j[p - width + 1] > m) m = j[p - width + 1];
      }
      j[p] = m < limit[p] ? m : limit[p];
    }
  }
}

/** Backward (anti-raster) pass; queues each pixel that can still raise a neighbour visited before it. */
function backwardPass(j: Float64Array, limit: Float64Array, width: number, height: number, eight: boolean, queue: { push(p: number): void }): void {
  const later = eight ? [1, 0, -1, 1, 0, 1, 1, 1] : [1, 0, 0, 1]; // E, SW, S, SE
  for (let y = height - 1; y >= 0; y--) {
    for (let x = width - 1; x >= 0; x--) {
      const p = y * width + x;
      let m = j[p];
      for (let k = 0; k < later.length; k += 2) {
        const nx = x + later[k];
        const ny = y + later[k + 1];
        if (nx >= 0 && nx < width && ny < height && j[ny * width + nx] > m) m = j[ny * width + nx];
      }
      j[p] = m < limit[p] ? m : limit[p];
      for (let k = 0; k < later.length; k += 2) {
        const nx = x + later[k];
        const ny = y + later[k + 1];
        if (nx < 0 || nx >= width || ny >= height) continue;
        const q = ny * width + nx;
        if (j[q] < j[p] && j[q] < limit[q]) {
          queue.push(p);
          break;
        }
      }
    }
  }
}

/**
 * Reconstruction by dilation of `marker` under `limit` (marker <= limit pixel-wise): the largest image
 * below `limit` whose regional maxima all come from the marker. Vincent's hybrid algorithm (1993): a
 * forward and a backward raster pass, then a FIFO queue settles what the two passes could not.
 * `marker` is overwritten with the result and returned.
 */
export function reconstructByDilation(
  marker: Float64Array,
  limit: Float64Array,
  width: number,
  height: number,
  connectivity: Connectivity = 8,
): Float64Array {
  checkPlane('marker', marker.length, width, height);
  checkPlane('limit', limit.length, width, height);
  const j = marker;
  for (let i = 0; i < j.length; i++) if (j[i] > limit[i]) j[i] = limit[i];
  const eight = connectivity === 8;
  const queue = createFifo();
  forwardPass(j, limit, width, height, eight);
  backwardPass(j, limit, width, height, eight, queue);
  const offsets = neighbourOffsets(connectivity);
  while (!queue.empty) {
    const p = queue.shift();
    const x = p % width;
    const y = (p - x) / width;
    for (let k = 0; k < offsets.length; k += 2) {
      const nx = x + offsets[k];
      const ny = y + offsets[k + 1];
      if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
      const q = ny * width + nx;
      if (j[q] < j[p] && limit[q] !== j[q]) {
        j[q] = j[p] < limit[q] ? j[p] : limit[q];
        queue.push(q);
      }
    }
  }
  return j;
}

/**
 * Regional maxima: connected plateaus (pixels of one value) with no higher neighbour, labelled 1..count
 * in scan order. Pixels outside the mask, and -Infinity pixels, are never maxima.
 */
export function regionalMaxima(f: ArrayLike<number>, width: number, height: number, options: MaximaOptions = {}): Seeds {
  checkPlane('image', f.length, width, height);
  const g = restricted(f, options.mask, 0);
  const offsets = neighbourOffsets(options.connectivity ?? 8);
  const labels = new Uint32Array(g.length);
  const seen = new Uint8Array(g.length);
  let plateau = new Int32Array(256);
  let count = 0;
  for (let start = 0; start < g.length; start++) {
    if (seen[start] || g[start] === -Infinity) continue;
    const v = g[start];
    let n = 0;
    let top = true;
    plateau[n++] = start;
    seen[start] = 1;
    // The plateau list doubles as the BFS queue: pixels before `r` are done.
    for (let r = 0; r < n; r++) {
      const p = plateau[r];
      const x = p % width;
      const y = (p - x) / width;
      for (let k = 0; k < offsets.length; k += 2) {
        const nx = x + offsets[k];
        const ny = y + offsets[k + 1];
        if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
        const q = ny * width + nx;
        if (g[q] > v) top = false;
        else if (g[q] === v && !seen[q]) {
          seen[q] = 1;
          if (n === plateau.length) {
            const grown = new Int32Array(n * 2);
            grown.set(plateau);
            plateau = grown;
          }
          plateau[n++] = q;
        }
      }
    }
    if (!top) continue;
    count++;
    for (let r = 0; r < n; r++) labels[plateau[r]] = count;
  }
  return { labels, count };
}

/**
 * h-maxima seeds: the regional maxima of the reconstruction of (f - h) under f. Each seed is the part
 * of a peak that lies within h of its top, and only peaks more than h deep (dynamic > h) get one; the
 * highest peak of each connected region always does. h = 0 gives the
 * regional maxima of f.
 */
export function hMaxima(f: ArrayLike<number>, width: number, height: number, h: number, options: MaximaOptions = {}): Seeds {
  checkPlane('image', f.length, width, height);
  if (!(h >= 0)) throw new RangeError(`h must be >= 0, got ${h}`);
  const connectivity = options.connectivity ?? 8;
  if (h === 0) return regionalMaxima(f, width, height, options);
  const limit = restricted(f, options.mask, 0);
  const rec = reconstructByDilation(restricted(f, options.mask, h), limit, width, height, connectivity);
  return regionalMaxima(rec, width, height, { connectivity, mask: options.mask });
}
