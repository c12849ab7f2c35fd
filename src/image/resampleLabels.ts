/**
 * Resizing label images (partial labels, instance ids) to another size, for fine-tuning at the scale an
 * image is segmented at. Labels are codes, not intensities: averaging them would invent classes (1 and 3
 * averaging to 2) and smear unlabelled pixels into labelled ones. So each output pixel takes the code that
 * covers the largest part of its footprint (majority) when an axis shrinks, and the code under its centre
 * (nearest) when an axis grows; the footprints and centres are those of resizePlane (src/image/resample.ts:
 * pixel centres at x + 0.5 in both grids), so labels stay on the pixels of the resized image.
 *
 * Every output code is one of the input codes, and an output pixel whose footprint is all unlabelled (0)
 * stays unlabelled. A tie between unlabelled and a label goes to the label, so a stroke at least half a
 * footprint wide survives shrinking; a tie between labels goes to the smaller code.
 */

import { axisTaps } from './resample';

/** Label arrays this module resizes (the output has the input's type). */
export type LabelArray = Uint8Array | Uint16Array | Uint32Array;

/** Relative margin under which two coverages count as a tie (coverages are sums of float products). */
const TIE = 1e-9;

/** True when `code` with coverage `w` beats the current winner `best` with coverage `bestW`. */
function beats(code: number, w: number, best: number, bestW: number): boolean {
  if (w > bestW + TIE) return true;
  if (w < bestW - TIE) return false;
  if (best === 0) return code !== 0;
  return code !== 0 && code < best;
}

/**
 * `labels` (width x height, row-major) resized to toWidth x toHeight by majority (shrinking axes) and
 * nearest (growing axes); an unchanged size returns an exact copy.
 * @throws RangeError when a size is not a positive integer or the data does not match the size.
 */
export function resizeLabels<T extends LabelArray>(labels: T, width: number, height: number, toWidth: number, toHeight: number): T {
  for (const [name, v] of [['width', width], ['height', height], ['toWidth', toWidth], ['toHeight', toHeight]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  }
  if (labels.length !== width * height) throw new RangeError(`labels hold ${labels.length} values, expected ${width}x${height}`);
  if (width === toWidth && height === toHeight) return labels.slice() as T;
  const tx = axisTaps(width, toWidth, 'nearest');
  const ty = axisTaps(height, toHeight, 'nearest');
  const out = new (labels.constructor as new (n: number) => T)(toWidth * toHeight);
  // The distinct codes of one footprint and their coverage (a footprint holds few pixels).
  const codes: number[] = [];
  const cover: number[] = [];
  for (let y = 0; y < toHeight; y++) {
    for (let x = 0; x < toWidth; x++) {
      codes.length = 0;
      cover.length = 0;
      for (let j = ty.start[y]; j < ty.start[y] + ty.count[y]; j++) {
        const row = ty.index[j] * width;
        const wy = ty.weight[j];
        for (let i = tx.start[x]; i < tx.start[x] + tx.count[x]; i++) {
          const code = labels[row + tx.index[i]];
          const k = codes.indexOf(code);
          if (k < 0) {
            codes.push(code);
            cover.push(wy * tx.weight[i]);
          } else {
            cover[k] += wy * tx.weight[i];
          }
        }
      }
      let best = codes[0];
      let bestW = cover[0];
      for (let k = 1; k < codes.length; k++) {
        if (beats(codes[k], cover[k], best, bestW)) {
          best = codes[k];
          bestW = cover[k];
        }
      }
      out[y * toWidth + x] = best;
    }
  }
  return out;
}
