/**
 * Memory of one training step, and the training tile chosen from it: the largest legal tile whose step
 * fits the budget (larger tiles waste less of their input on context: at depth 4 a 252 px tile has a
 * 68 px output, a 508 px tile a 324 px one).
 *
 * Model of a tfjs training step (variableGrads + optimizer.applyGradients), from measurements with
 * tf.profile on tfjs 4.22 (cpu and wasm account identically; memoryBudget.ts explains the forward pass):
 * - Persistent: the weights, the optimiser's slots (Adam: first and second moments; SGD with momentum:
 *   one accumulator) and the keep-best copies (starting and best weights), each the size of the weights.
 * - Backward phase: while gradients are recorded tfjs does not fuse conv + bias + ReLU (three tensors
 *   per conv instead of one) and the tape keeps every kernel's inputs and outputs until the backward pass
 *   ends; the gradients then flow back through all of them. Measured peak above the persistent memory:
 *   4.9-5.3 x the summed layer outputs of forwardTrace for depth 2-3 U-Nets (4-8 filters, tiles 92-252)
 *   and 6.4 x for the depth-4, 16-filter EM model at 252 px; we take 5.8 x. Plus the weight gradients
 *   (one weight-sized copy) and, with distillation, ~20 output-sized (2-class) temporaries.
 * - Update phase: Adam creates ~14 weight-sized temporaries inside one tidy (they are freed together
 *   at its end), SGD with momentum ~4, on top of the gradients. For large models with small tiles this
 *   phase is the peak (depth 4, 16 filters at 188 px: 15.0 x the weights).
 */
import { forwardTrace, parameterCount } from './memoryBudget';
import type { UnetConfig } from './types';
import { contextMargin, legalInputSizes, minInputSize, nearestLegalInputSize, outputSize } from './validSize';

const BYTES = 4;
/** Backward-phase peak per byte of summed layer outputs (see the header). */
const BACKWARD_FACTOR = 5.8;
/** Output-sized (2-class) temporaries of the distillation term. */
const DISTILLATION_TEMPORARIES = 20;

/** What one training step needs. */
export interface TrainingStepOptions {
  readonly optimizer: 'adam' | 'sgd';
  /** Tiles per step (default 1). */
  readonly batch?: number;
  /** Whether the loss has the distillation term. */
  readonly distillation?: boolean;
  /** Weight-sized copies kept besides the weights (keep-best: start and best, default 2). */
  readonly snapshots?: number;
}

/** Estimated bytes of a training step. */
export interface TrainingEstimate {
  readonly peakBytes: number;
  /** Weights, optimiser slots and snapshots, alive for the whole run. */
  readonly persistentBytes: number;
  readonly backwardBytes: number;
  readonly updateBytes: number;
}

/** Estimates the peak bytes of one training step with tiles of tileSize x tileSize. */
export function estimateTrainingBytes(config: UnetConfig, tileSize: number, options: TrainingStepOptions): TrainingEstimate {
  const batch = options.batch ?? 1;
  const weights = parameterCount(config) * BYTES;
  const slots = options.optimizer === 'adam' ? 2 : 1;
  const persistentBytes = weights * (1 + slots + (options.snapshots ?? 2));
  const layers = forwardTrace(config, tileSize, tileSize).reduce((s, n) => s + n.height * n.width * n.channels, 0) * BYTES * batch;
  const out = outputSize(config, tileSize);
  const distill = options.distillation ? DISTILLATION_TEMPORARIES * out * out * 2 * BYTES * batch : 0;
  const backwardBytes = BACKWARD_FACTOR * layers + weights + distill;
  const updateBytes = weights * (1 + (options.optimizer === 'adam' ? 14 : 4));
  return { peakBytes: persistentBytes + Math.max(backwardBytes, updateBytes), persistentBytes, backwardBytes, updateBytes };
}

/** Arguments of {@link chooseTrainingTile}. */
export interface ChooseTrainingTileArgs extends TrainingStepOptions {
  readonly config: UnetConfig;
  readonly budgetBytes: number;
  /** Largest image to train on: no tile needs an output window larger than it. */
  readonly imageSize: { readonly width: number; readonly height: number };
  /** Upper bound on the tile input side (e.g. to bound the step time). */
  readonly maxInputSize?: number;
}

/** The chosen training tile. */
export interface TrainingTile {
  readonly tileSize: number;
  /** Side of the output window the loss sees ('same' nets are trained on their whole output). */
  readonly outputSize: number;
  readonly estimate: TrainingEstimate;
}

/**
 * The largest legal tile whose training step fits `budgetBytes`, no larger than `maxInputSize` and than
 * a tile whose output covers the largest image. When not even the smallest legal tile fits, the smallest
 * is returned anyway (the budget is an estimate; the caller's out-of-memory handling is the net).
 */
export function chooseTrainingTile(args: ChooseTrainingTileArgs): TrainingTile {
  const { config, budgetBytes } = args;
  if (!(budgetBytes > 0)) throw new RangeError(`budgetBytes must be positive, got ${budgetBytes}`);
  const longest = Math.max(args.imageSize.width, args.imageSize.height);
  const margin = config.padding === 'valid' ? contextMargin(config) : 0;
  const needed = nearestLegalInputSize(config, longest + 2 * margin, 'up');
  const cap = Math.min(needed, args.maxInputSize ?? Infinity);
  const smallest = minInputSize(config);
  const sizes = legalInputSizes(config, Math.max(cap, smallest), smallest).reverse();
  for (const n of sizes) {
    const estimate = estimateTrainingBytes(config, n, args);
    if (estimate.peakBytes <= budgetBytes) return { tileSize: n, outputSize: outputSize(config, n), estimate };
  }
  return { tileSize: smallest, outputSize: outputSize(config, smallest), estimate: estimateTrainingBytes(config, smallest, args) };
}
