import { connectedComponents } from './components';
import { checkPlane, type Connectivity } from './neighbours';

/**
 * Hole filling: background regions that do not reach the image border are holes and become foreground.
 * Nuclei with dim chromatin come out of the model as rings (p just under the threshold in the middle);
 * a ring is one object with a hole, and its hole must not survive as background or, after splitting,
 * as extra objects.
 */

/** Options of {@link fillHoles}. */
export interface FillHolesOptions {
  /**
   * Connectivity of the foreground objects (default 4). The background is taken with the other one, so
   * that a background pixel touching the outside only diagonally is a hole exactly when the object
   * around it is closed in the object's own connectivity.
   */
  readonly connectivity?: Connectivity;
  /** Holes with more pixels than this stay background (gaps enclosed by a ring of touching nuclei). Default: no limit. */
  readonly maxHoleSize?: number;
}

/** A new 0/1 mask with the holes of `mask` (nonzero = foreground) filled. */
export function fillHoles(mask: ArrayLike<number>, width: number, height: number, options: FillHolesOptions = {}): Uint8Array {
  checkPlane('mask', mask.length, width, height);
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < out.length; i++) out[i] = mask[i] !== 0 ? 1 : 0;
  const background = new Uint8Array(mask.length);
  for (let i = 0; i < out.length; i++) background[i] = 1 - out[i];
  const bg = connectedComponents(background, width, height, { connectivity: (options.connectivity ?? 4) === 4 ? 8 : 4 });
  if (bg.count === 0) return out;
  const outside = new Uint8Array(bg.count + 1);
  const mark = (i: number): void => {
    outside[bg.labels[i]] = 1;
  };
  for (let x = 0; x < width; x++) {
    mark(x);
    mark((height - 1) * width + x);
  }
  for (let y = 0; y < height; y++) {
    mark(y * width);
    mark(y * width + width - 1);
  }
  const maxHole = options.maxHoleSize ?? Infinity;
  for (let i = 0; i < out.length; i++) {
    const k = bg.labels[i];
    if (k !== 0 && !outside[k] && bg.sizes[k] <= maxHole) out[i] = 1;
  }
  return out;
}
