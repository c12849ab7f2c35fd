import type { UnetConfig } from './types';

/*
 * Valid-size arithmetic of the U-Net (Ronneberger et al. 2015, section 2 and Fig. 1).
 *
 * With 'valid' (unpadded) 3x3 convolutions every conv trims 1 px per side. Going down, each level loses
 * 4 px (two convs) and then halves (2x2 max-pool, which needs an even size so that no row or column is
 * silently dropped — otherwise the pooling grid and hence the output would depend on where a tile starts).
 * Going up, each level doubles (2x2 stride-2 up-convolution) and loses 4 px again. Writing c for the size
 * after the two bottom convs:
 *
 *   input  n = 2^d (c + 8) - 4
 *   output m = 2^d c - 4 (2^d - 1)
 *   margin (n - m) / 2 = 6 * 2^d - 4         (92 px for d = 4: 572 -> 388, as in the paper's Fig. 1)
 *
 * Every legal input size has this form; the closed form is cross-checked against a step-by-step
 * simulation (`traceSizes`) in the property tests.
 *
 * With 'same' padding the spatial size is kept, so the input only needs to be a multiple of 2^d. A tile
 * then needs a context margin that covers the receptive field *and* the misalignment between a pixel and
 * the coarse grids: an output pixel in an odd position of a level-k grid inherits the footprint of its
 * parent, which reaches up to 2^k - 1 px further. Summed over the levels that is 2^d - 1 px on top of the
 * valid margin, rounded up to a multiple of 2^d so that tile inputs stay multiples of 2^d.
 */

/** Sizes of the feature maps along one axis, level by level, for one input size. */
export interface SizeTrace {
  /** Size entering each level of the contracting path (index 0 = input). */
  readonly down: readonly number[];
  /** Size after the two bottom convolutions. */
  readonly bottom: number;
  /** Size after the two convolutions of each expanding level (index 0 = output). */
  readonly up: readonly number[];
  /** Pixels cropped from each side of the level-k skip features before concatenation. */
  readonly skipCrop: readonly number[];
  readonly output: number;
}

/** Throws a clear error if the config is not a usable U-Net architecture. */
export function assertConfig(config: UnetConfig): void {
  const { depth, baseFilters, inChannels, classes, dropout, padding } = config;
  if (!Number.isInteger(depth) || depth < 1 || depth > 6) {
    throw new RangeError(`U-Net depth must be an integer 1..6, got ${depth}`);
  }
  if (!Number.isInteger(baseFilters) || baseFilters < 1) {
    throw new RangeError(`baseFilters must be a positive integer, got ${baseFilters}`);
  }
  if (inChannels !== 1 && inChannels !== 3) throw new RangeError(`inChannels must be 1 or 3, got ${inChannels}`);
  if (!Number.isInteger(classes) || classes < 2) {
    throw new RangeError(`classes must be an integer >= 2 (softmax over classes), got ${classes}`);
  }
  if (!(dropout >= 0 && dropout < 1)) throw new RangeError(`dropout must be in [0, 1), got ${dropout}`);
  if (padding !== 'valid' && padding !== 'same') {
    throw new RangeError(`padding must be 'valid' or 'same', got ${String(padding)}`);
  }
}

/** Pixels one 3x3 conv removes per side: 1 for 'valid', 0 for 'same'. */
function convTrim(config: UnetConfig): number {
  return config.padding === 'valid' ? 1 : 0;
}

/**
 * Follows one axis of size `n` through the network step by step. Returns null if the size is illegal
 * (a map is odd before a pool, or any map becomes empty).
 */
export function traceSizes(config: UnetConfig, n: number): SizeTrace | null {
  if (!Number.isInteger(n) || n < 1) return null;
  const t = 4 * convTrim(config); // two convs, each trimming both sides
  const down: number[] = [];
  const skips: number[] = [];
  let s = n;
  for (let k = 0; k < config.depth; k++) {
    down.push(s);
    const afterConvs = s - t;
    if (afterConvs < 2 || afterConvs % 2 !== 0) return null;
    skips.push(afterConvs);
    s = afterConvs / 2;
  }
  down.push(s);
  const bottom = s - t;
  if (bottom < 1) return null;
  const up: number[] = new Array<number>(config.depth);
  const skipCrop: number[] = new Array<number>(config.depth);
  let u = bottom;
  for (let k = config.depth - 1; k >= 0; k--) {
    const upsampled = 2 * u;
    const diff = skips[k] - upsampled;
    if (diff < 0 || diff % 2 !== 0) return null;
    skipCrop[k] = diff / 2;
    u = upsampled - t;
    if (u < 1) return null;
    up[k] = u;
  }
  return { down, bottom, up, skipCrop, output: u };
}

/** True if an input of this size (along one axis) passes through the network without rounding. */
export function isLegalInputSize(config: UnetConfig, n: number): boolean {
  return traceSizes(config, n) !== null;
}

/** Output size for a legal input size; throws a RangeError naming the nearest legal sizes otherwise. */
export function outputSize(config: UnetConfig, inputSize: number): number {
  const trace = traceSizes(config, inputSize);
  if (trace === null) {
    const below = nearestLegalInputSize(config, inputSize, 'down');
    const above = nearestLegalInputSize(config, inputSize, 'up');
    throw new RangeError(
      `input size ${inputSize} is not legal for a depth-${config.depth} '${config.padding}' U-Net ` +
        `(nearest legal: ${below ?? 'none'} below, ${above} above)`,
    );
  }
  return trace.output;
}

/** The smallest legal input size (valid: output >= 1 px; same: 2^depth). */
export function minInputSize(config: UnetConfig): number {
  const p = 2 ** config.depth;
  if (config.padding === 'same') return p;
  // Smallest c with output 2^d c - 4 (2^d - 1) >= 1 and every expanding map >= 1 px.
  let c = Math.max(1, Math.ceil((4 * (p - 1) + 1) / p));
  // The closed form guarantees a hit within a step or two; the bound only guards against a logic error.
  for (let guard = 0; traceSizes(config, p * (c + 8) - 4) === null; guard++, c++) {
    if (guard > 64) throw new Error('internal: no legal input size found');
  }
  return p * (c + 8) - 4;
}

/** Distance between consecutive legal input (and output) sizes: 2^depth. */
export function sizeStep(config: UnetConfig): number {
  return 2 ** config.depth;
}

/**
 * Nearest legal input size at or above (`up`) or at or below (`down`) n. `down` returns null when n is
 * below the smallest legal size.
 */
export function nearestLegalInputSize(config: UnetConfig, n: number, direction: 'up'): number;
export function nearestLegalInputSize(config: UnetConfig, n: number, direction: 'down'): number | null;
export function nearestLegalInputSize(config: UnetConfig, n: number, direction: 'up' | 'down'): number | null {
  const min = minInputSize(config);
  const step = sizeStep(config);
  // Legal sizes are min + k * step (proved in the header comment; property-tested).
  if (direction === 'up') {
    if (n <= min) return min;
    return min + Math.ceil((n - min) / step) * step;
  }
  if (n < min) return null;
  return min + Math.floor((n - min) / step) * step;
}

/** Legal input sizes in [min, max], ascending. */
export function legalInputSizes(config: UnetConfig, max: number, min = 1): number[] {
  const out: number[] = [];
  for (let n = nearestLegalInputSize(config, min, 'up'); n <= max; n += sizeStep(config)) out.push(n);
  return out;
}

/**
 * Context margin per side: input pixels a tile needs beyond its output on each side so that its output
 * equals that of one pass over the whole (mirrored) image. 'valid': (input - output) / 2, 92 px for
 * depth 4. 'same': see the header comment.
 */
export function contextMargin(config: UnetConfig): number {
  const p = 2 ** config.depth;
  const valid = 6 * p - 4;
  if (config.padding === 'valid') return valid;
  return Math.ceil((valid + p - 1) / p) * p;
}

/**
 * Receptive field: side of the input window that one output pixel depends on, 2 * margin + 1 for the
 * valid network (185 px for depth 4). For 'same' this is the nominal field of the same convolutions.
 */
export function receptiveField(config: UnetConfig): number {
  return 2 * (6 * 2 ** config.depth - 4) + 1;
}

/**
 * Pixels to drop from each side of the network output so that only exact pixels remain: 0 for 'valid'
 * (the network already returns only exact pixels), the context margin for 'same' (whose border pixels
 * saw zero padding).
 */
export function outputCrop(config: UnetConfig): number {
  return config.padding === 'valid' ? 0 : contextMargin(config);
}

/**
 * Exact output pixels per axis of a tile with this (legal) input size: input - 2 * margin. Equals
 * `outputSize` for 'valid'. Returns 0 when a 'same' tile is too small to have any exact pixel.
 */
export function tileOutputSize(config: UnetConfig, inputSize: number): number {
  outputSize(config, inputSize); // validates
  return Math.max(0, inputSize - 2 * contextMargin(config));
}

/** The smallest legal tile input with at least one exact output pixel. */
export function minTileInputSize(config: UnetConfig): number {
  return nearestLegalInputSize(config, 2 * contextMargin(config) + 1, 'up');
}

/** Tile input size for a tile output size: output + 2 * margin; throws if that is not a legal input. */
export function inputSizeForOutput(config: UnetConfig, outSize: number): number {
  const n = outSize + 2 * contextMargin(config);
  if (outSize < 1 || !isLegalInputSize(config, n)) {
    throw new RangeError(
      `tile output size ${outSize} is not producible by a depth-${config.depth} '${config.padding}' U-Net ` +
        `(legal outputs differ by ${sizeStep(config)} px)`,
    );
  }
  return n;
}
