import { forwardTrace } from './memoryBudget';
import { legalTileOutputAtLeast, planShape } from './tiling';
import type { UnetConfig } from './types';
import { inputSizeForOutput } from './validSize';

/*
 * Floating-point operations of a forward pass, counted as 2 per multiply-accumulate of the convolutions
 * (3x3, the stride-2 2x2 up-convolutions, the 1x1 head) plus one per output value for each bias add and
 * ReLU, and 3 comparisons per max-pool output, 5 per softmax value. Crop and concatenation move data
 * and are not counted. The convolutions are > 99% of the total for any real model.
 */

const POOL_OPS = 3;
const SOFTMAX_OPS = 5;

/** FLOPs of one forward pass of `batch` tiles of inputHeight x inputWidth (legal sizes). */
export function flopsPerForward(config: UnetConfig, inputHeight: number, inputWidth: number, batch = 1): number {
  const nodes = forwardTrace(config, inputHeight, inputWidth);
  let total = 0;
  for (const n of nodes) {
    const out = n.height * n.width * n.channels;
    const cin = n.inputs.length > 0 ? nodes[n.inputs[0]].channels : 0;
    switch (n.kind) {
      case 'conv':
        total += out * (2 * 9 * cin + 2); // MACs, bias, ReLU
        break;
      case 'upconv':
        // Each output pixel receives exactly one kernel tap per input channel (stride 2, kernel 2).
        total += out * (2 * cin + 1);
        break;
      case 'head':
        total += out * (2 * cin + 1);
        break;
      case 'pool':
        total += out * POOL_OPS;
        break;
      case 'softmax':
        total += out * SOFTMAX_OPS;
        break;
      default:
        break;
    }
  }
  return total * batch;
}

/**
 * FLOPs to segment an image of height x width with tiles of at most `maxTileOutput` exact output px
 * (default: one tile over the whole mirrored image), margins and tile overlap included.
 */
export function flopsForImage(config: UnetConfig, height: number, width: number, maxTileOutput?: number): number {
  const tile = maxTileOutput ?? legalTileOutputAtLeast(config, Math.max(height, width));
  const shape = planShape(config, height, width, tile);
  return shape.rows * shape.cols * flopsPerForward(config, shape.inputHeight, shape.inputWidth);
}

/**
 * The model card's `flopsPer512`: FLOPs to segment a 512 x 512 image in one pass (the smallest legal
 * tile covering it, input = that output + 2 * margin of mirrored context).
 */
export function flopsPer512(config: UnetConfig): number {
  const out = legalTileOutputAtLeast(config, 512);
  const n = inputSizeForOutput(config, out);
  return flopsPerForward(config, n, n);
}
