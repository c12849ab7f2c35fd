import type { UnetConfig } from './types';
import { contextMargin, inputSizeForOutput, minTileInputSize, outputCrop, sizeStep, tileOutputSize } from './validSize';

/*
 * Overlap-tile plan (paper, Fig. 2). The output image is cut into tiles; each tile's network input is its
 * output region grown by the context margin on every side, read from the image mirrored at its borders.
 *
 * Exactness: a U-Net is translation-equivariant only for shifts that are multiples of 2^depth (the grid
 * of the max-pools). The reference is one forward pass over the whole image mirrored by the margin, whose
 * pooling grid starts at mirrored coordinate -margin. So every tile input must start at
 * -margin + (multiple of 2^depth): tile output origins lie on a stride S that is a multiple of 2^depth.
 * Legal 'valid' output sizes are not multiples of 2^depth (388 = 16 * 28 - 60), so S = the largest
 * multiple of 2^depth <= the tile output, and each tile writes only the first S rows/columns of its
 * exact output (its remaining few rows are computed again, exactly, by the next tile: the overlap is
 * < 2^depth px). The last tile along an axis is not shifted inward (a shift off the 2^depth grid would
 * break exactness); it is cropped: it writes only the pixels that remain. Thus every output pixel is
 * written exactly once, and all tiles of a plan have the same input size, so they can be batched.
 *
 * Images smaller than a tile (down to 1 px strips) get one tile along that axis, of the smallest legal
 * size that covers them; the mirrored context fills the rest. When several tiles are needed, the tile is
 * shrunk to the smallest legal size that still needs no more tiles, which cuts the wasted border.
 */

/** One tile: where its input window lies (mirrored image coordinates) and which output pixels it writes. */
export interface Tile {
  readonly index: number;
  readonly row: number;
  readonly col: number;
  /** Top-left of the input window in mirrored coordinates (may be negative or beyond the image). */
  readonly inY: number;
  readonly inX: number;
  /** Output region written by this tile, in image coordinates. */
  readonly outY: number;
  readonly outX: number;
  readonly outH: number;
  readonly outW: number;
  /** Where that region starts inside the network's output for this tile (skips 'same' border pixels). */
  readonly srcY: number;
  readonly srcX: number;
}

/** Tile grid of a plan without the tile list (cheap; used when searching tile sizes). */
export interface PlanShape {
  /** Network input size of every tile. */
  readonly inputHeight: number;
  readonly inputWidth: number;
  /** Exact output pixels per tile (network output minus any 'same' border). */
  readonly outputHeight: number;
  readonly outputWidth: number;
  /** Distance between tile origins (a multiple of 2^depth). */
  readonly strideY: number;
  readonly strideX: number;
  readonly rows: number;
  readonly cols: number;
}

/** A complete overlap-tile plan for one image and one tile size: its grid and the tiles. */
export interface TilePlan extends PlanShape {
  readonly imageHeight: number;
  readonly imageWidth: number;
  readonly margin: number;
  readonly tiles: readonly Tile[];
  /** Input pixels fed to the network per output pixel (>= 1; the cost of margins and cropping). */
  readonly waste: number;
}

interface AxisPlan {
  readonly tileOut: number;
  readonly stride: number;
  readonly count: number;
}

/** Legal exact tile output sizes are minTileOutput + k * 2^depth. */
export function minTileOutput(config: UnetConfig): number {
  return tileOutputSize(config, minTileInputSize(config));
}

/** Largest legal tile output <= n (null if n is below the smallest). */
export function legalTileOutputAtMost(config: UnetConfig, n: number): number | null {
  const min = minTileOutput(config);
  if (n < min) return null;
  return min + Math.floor((n - min) / sizeStep(config)) * sizeStep(config);
}

/** Smallest legal tile output >= n. */
export function legalTileOutputAtLeast(config: UnetConfig, n: number): number {
  const min = minTileOutput(config);
  if (n <= min) return min;
  return min + Math.ceil((n - min) / sizeStep(config)) * sizeStep(config);
}

function planAxis(config: UnetConfig, length: number, maxOut: number, axis: string): AxisPlan {
  const p = sizeStep(config);
  const single = legalTileOutputAtLeast(config, length);
  if (single <= maxOut) return { tileOut: single, stride: single, count: 1 };
  const largestStride = Math.floor(maxOut / p) * p;
  if (largestStride < p) {
    throw new RangeError(
      `tile output ${maxOut} px is too small to tile a ${length} px ${axis}: ` +
        `tiles must advance on the ${p} px pooling grid (use an output of at least ${legalTileOutputAtLeast(config, p)} px)`,
    );
  }
  const count = Math.ceil(length / largestStride);
  // Same number of tiles with the smallest stride (multiple of p) that still covers the axis.
  const stride = Math.ceil(length / count / p) * p;
  return { tileOut: Math.min(maxOut, legalTileOutputAtLeast(config, stride)), stride, count };
}

/** The grid planTiles would produce, without allocating the tiles. */
export function planShape(config: UnetConfig, imageHeight: number, imageWidth: number, maxTileOutput: number): PlanShape {
  for (const [name, v] of [['height', imageHeight], ['width', imageWidth]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`planTiles: image ${name} must be a positive integer, got ${v}`);
  }
  const maxOut = legalTileOutputAtMost(config, maxTileOutput);
  if (maxOut === null) {
    throw new RangeError(`planTiles: tile output ${maxTileOutput} is below the smallest legal tile output ${minTileOutput(config)}`);
  }
  const ay = planAxis(config, imageHeight, maxOut, 'height');
  const ax = planAxis(config, imageWidth, maxOut, 'width');
  return {
    inputHeight: inputSizeForOutput(config, ay.tileOut),
    inputWidth: inputSizeForOutput(config, ax.tileOut),
    outputHeight: ay.tileOut,
    outputWidth: ax.tileOut,
    strideY: ay.stride,
    strideX: ax.stride,
    rows: ay.count,
    cols: ax.count,
  };
}

/**
 * Plans overlap tiles for an image of imageHeight x imageWidth with exact tile outputs of at most
 * `maxTileOutput` px per side (rounded down to a legal tile output). Every output pixel is written by
 * exactly one tile; all tiles share one input size. Tiles are listed row by row.
 */
export function planTiles(config: UnetConfig, imageHeight: number, imageWidth: number, maxTileOutput: number): TilePlan {
  const shape = planShape(config, imageHeight, imageWidth, maxTileOutput);
  const margin = contextMargin(config);
  const crop = outputCrop(config);
  const tiles: Tile[] = [];
  for (let r = 0; r < shape.rows; r++) {
    const outY = r * shape.strideY;
    const outH = Math.min(shape.strideY, imageHeight - outY);
    for (let c = 0; c < shape.cols; c++) {
      const outX = c * shape.strideX;
      const outW = Math.min(shape.strideX, imageWidth - outX);
      tiles.push({ index: tiles.length, row: r, col: c, inY: outY - margin, inX: outX - margin, outY, outX, outH, outW, srcY: crop, srcX: crop });
    }
  }
  return {
    ...shape,
    imageHeight,
    imageWidth,
    margin,
    tiles,
    waste: (tiles.length * shape.inputHeight * shape.inputWidth) / (imageHeight * imageWidth),
  };
}
