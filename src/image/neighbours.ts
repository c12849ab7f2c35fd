/**
 * Pixel neighbourhoods on a row-major grid, shared by the flooding and region code. Offsets are listed
 * as (dx, dy) pairs so callers can bounds-check without wrapping around row ends.
 */

/** 4- or 8-connectivity. */
export type Connectivity = 4 | 8;

const N4: readonly number[] = [1, 0, -1, 0, 0, 1, 0, -1];
const N8: readonly number[] = [1, 0, -1, 0, 0, 1, 0, -1, 1, 1, -1, 1, 1, -1, -1, -1];

/** Neighbour offsets as a flat [dx0, dy0, dx1, dy1, ...] list; edge neighbours come first. */
export function neighbourOffsets(connectivity: Connectivity): readonly number[] {
  return connectivity === 8 ? N8 : N4;
}

/** @throws RangeError when an array does not have width * height values. */
export function checkPlane(what: string, length: number, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new RangeError(`invalid image size ${width}x${height}`);
  }
  if (length !== width * height) {
    throw new RangeError(`${what} has ${length} values, expected ${width}x${height} = ${width * height}`);
  }
}
