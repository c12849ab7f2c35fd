import { checkPlane, neighbourOffsets, type Connectivity } from './neighbours';
import { createPixelQueue } from './priorityQueue';

/**
 * Marker-controlled watershed by priority flooding (Meyer 1991; the form scikit-image uses): every
 * marker pixel enters a priority queue keyed by the relief; the lowest pixel leaves the queue and hands
 * its label to each unlabelled neighbour, which enters the queue with its own relief value. Basins
 * therefore grow from their markers in order of height and meet along the crests, with no watershed
 * line (every reachable pixel gets a label). Ties flood breadth-first in marker order (see
 * priorityQueue.ts), so plateaus are shared fairly between the markers that reach them.
 */

/** Options of {@link watershed}. */
export interface WatershedOptions {
  /** Neighbourhood of the flooding; default 4. */
  readonly connectivity?: Connectivity;
  /** Only pixels where the mask is nonzero are flooded; the others stay 0. Default: the whole image. */
  readonly mask?: ArrayLike<number>;
}

/**
 * Floods `surface` (lower = earlier) from `markers` (0 = no marker, k > 0 = label k) and returns the
 * labels. Marker pixels keep their label even outside the mask; pixels no marker can reach stay 0.
 * @throws RangeError when the arrays do not have width * height values or the surface has NaN.
 */
export function watershed(
  surface: ArrayLike<number>,
  markers: ArrayLike<number>,
  width: number,
  height: number,
  options: WatershedOptions = {},
): Uint32Array {
  checkPlane('surface', surface.length, width, height);
  checkPlane('markers', markers.length, width, height);
  const { mask } = options;
  if (mask) checkPlane('mask', mask.length, width, height);
  const offsets = neighbourOffsets(options.connectivity ?? 4);
  const labels = new Uint32Array(width * height);
  const queue = createPixelQueue(1024);
  for (let i = 0; i < labels.length; i++) {
    if (markers[i] > 0) labels[i] = markers[i];
    // Checked up front: a marker pixel that never enters the queue (below) would otherwise hide a NaN.
    if (Number.isNaN(surface[i]) && (markers[i] > 0 || !mask || mask[i] !== 0)) throw new RangeError(`surface is NaN at pixel ${i}`);
  }
  /** Neighbour k of (x, y) if a flood may label it (inside the image and the mask, not labelled yet), else -1. */
  const floodable = (x: number, y: number, k: number): number => {
    const nx = x + offsets[k];
    const ny = y + offsets[k + 1];
    if (nx < 0 || ny < 0 || nx >= width || ny >= height) return -1;
    const q = ny * width + nx;
    return labels[q] !== 0 || (mask && mask[q] === 0) ? -1 : q;
  };
  // Only marker pixels with a floodable neighbour enter the queue. An interior marker pixel would pop
  // without doing anything, and leaving it out keeps the order of all the others (ties break by
  // insertion order, which it only shifts uniformly), so the labels are the same; but seeds that cover
  // whole cell interiors (EM) would otherwise fill the heap with millions of pixels and make every
  // operation on it slow (issue 11).
  for (let p = 0; p < labels.length; p++) {
    if (labels[p] === 0) continue;
    const x = p % width;
    const y = (p - x) / width;
    for (let k = 0; k < offsets.length; k += 2) {
      if (floodable(x, y, k) < 0) continue;
      queue.push(p, surface[p]);
      break;
    }
  }
  while (queue.size > 0) {
    const p = queue.pop();
    const x = p % width;
    const y = (p - x) / width;
    const label = labels[p];
    for (let k = 0; k < offsets.length; k += 2) {
      const q = floodable(x, y, k);
      if (q < 0) continue;
      labels[q] = label;
      queue.push(q, surface[q]);
    }
  }
  return labels;
}
