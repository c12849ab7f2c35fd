import * as tf from '@tensorflow/tfjs';
import type { FloatPlane } from '../image/types';
import type { AbortSignalLike } from './abort';
import { AbortError, throwIfAborted } from './abort';
import { budgetFromLimits, chooseTile, estimateForwardBytes } from './memoryBudget';
import { extractMirroredWindow } from './mirror';
import { legalTileOutputAtMost, planShape, planTiles } from './tiling';
import type { TilePlan } from './tiling';
import { checkedClassWeights } from './classWeights';
import { ttaPredict } from './tta';
import type { Segmenter } from './types';
import { outputCrop } from './validSize';

/*
 * Overlap-tile segmentation of one (already normalised) image. Tiles come from tiling.ts, their size
 * from the memory budget (memoryBudget.ts); each batch of tiles is read from the mirrored image, run
 * through the network, and the foreground probability of the pixels each tile owns is copied out. The
 * stitched map is identical to one forward pass over the whole mirrored image (see tiling.ts).
 *
 * Between batches we report progress, yield to the event loop (so a worker can receive a cancel message)
 * and check the abort signal. A forward pass that fails for lack of memory (WebGPU OOM/validation error,
 * wasm heap exhaustion) is retried with half the tile: the budget is a heuristic and this is the net.
 */

/** Progress after each batch of tiles. */
export interface SegmentProgress {
  readonly tilesDone: number;
  readonly tilesTotal: number;
  readonly elapsedMs: number;
  /** Estimated time to finish, from the pace of the current plan. */
  readonly etaMs: number;
}

/** Reported when a forward pass ran out of memory and the tile was made smaller. */
export interface BackoffEvent {
  readonly error: string;
  readonly fromInput: { readonly height: number; readonly width: number; readonly batch: number };
  readonly toInput: { readonly height: number; readonly width: number; readonly batch: number };
  readonly backoffs: number;
}

/** The network call for one batch of tiles; injectable for tests (e.g. to simulate an OOM). */
export type ForwardFn = (input: tf.Tensor4D) => tf.Tensor4D;

/** Options of segmentPlane; everything optional. */
export interface SegmentOptions {
  /** Class whose probability is returned (default 1, the foreground of a 2-class model). */
  readonly foregroundClass?: number;
  /** Instead of one class: sum_c classWeights[c] * p_c (a model card's classWeights; one per class). */
  readonly classWeights?: readonly number[];
  /** Memory budget in bytes for one forward pass (default: budgetFromLimits()). */
  readonly budgetBytes?: number;
  /** Largest single tensor allowed (WebGPU maxStorageBufferBindingSize). */
  readonly maxBindingBytes?: number;
  /** Fixes the exact tile output side instead of choosing it from the budget. */
  readonly tileOutput?: number;
  /** Fixes the batch (tiles per forward pass) instead of choosing it from the budget. */
  readonly batch?: number;
  /** Upper bound on the batch the chooser may pick (default 8). */
  readonly maxBatch?: number;
  /** Average over the 8 flips/rotations of every tile. */
  readonly tta?: boolean;
  readonly signal?: AbortSignalLike;
  readonly onProgress?: (progress: SegmentProgress) => void;
  readonly onBackoff?: (event: BackoffEvent) => void;
  /** Replaces segmenter.predictTile (tests inject failures; benches time it). */
  readonly forward?: ForwardFn;
  /** Awaited between batches (default: a macrotask via setTimeout(0)). */
  readonly yieldFn?: () => Promise<void>;
}

/** Result of segmentPlane. */
export interface SegmentResult {
  /** Row-major probability of the foreground class, width * height values. */
  readonly probabilities: Float32Array;
  readonly width: number;
  readonly height: number;
  readonly tile: {
    /** Tile input side (the larger side if the planner made the tile non-square). */
    readonly inputSize: number;
    /** Exact tile output side (the larger side if non-square). */
    readonly outputSize: number;
    readonly inputHeight: number;
    readonly inputWidth: number;
    readonly outputHeight: number;
    readonly outputWidth: number;
    readonly batch: number;
    readonly tiles: number;
  };
  /** Estimated peak bytes of one forward pass with the final tile and batch. */
  readonly estimateBytes: number;
  readonly budgetBytes: number;
  /** How many times the tile was halved after an out-of-memory error. */
  readonly backoffs: number;
  /** Input pixels computed per output pixel (margins and cropping; x8 not included for TTA). */
  readonly waste: number;
  readonly timing: { readonly totalMs: number; readonly forwardMs: number };
}

/**
 * A segmentation cancelled after some tiles finished: those pixels hold their final values (the same a full
 * run gives), the rest are NaN, so a caller can show or keep what was done instead of discarding it.
 */
export class PartialSegmentationError extends AbortError {
  constructor(
    /** The run so far: `probabilities` final where a tile finished, NaN elsewhere. */
    readonly result: SegmentResult,
    readonly tilesDone: number,
    readonly tilesTotal: number,
    options?: { cause?: unknown },
  ) {
    super(`Segmentation was cancelled after ${tilesDone} of ${tilesTotal} tiles`, options);
  }
}

/** Recognises allocation failures of the WebGPU, WebGL, wasm and CPU backends by type or message. */
export function isOutOfMemoryError(error: unknown): boolean {
  if (!(error instanceof Error) && !(typeof error === 'object' && error !== null && 'message' in error)) return false;
  const { name, message } = error as { name?: unknown; message?: unknown };
  if (name === 'GPUOutOfMemoryError' || name === 'GPUValidationError') return true;
  return /out of memory|\boom\b|failed to allocate|allocation failed|exceeds the max|GPUValidationError|GPUOutOfMemoryError|buffer size exceeds|Invalid typed array length|Cannot enlarge memory/i.test(
    String(message),
  );
}

/** A macrotask yield that works in browsers, workers and Node (no requestAnimationFrame needed). */
function defaultYield(): Promise<void> {
  const timer = (globalThis as { setTimeout?: (cb: () => void, ms: number) => unknown }).setTimeout;
  return new Promise((resolve) => (timer ? timer(resolve, 0) : resolve()));
}

function planesOf(segmenter: Segmenter, plane: FloatPlane | readonly FloatPlane[]): readonly FloatPlane[] {
  const planes = Array.isArray(plane) ? (plane as readonly FloatPlane[]) : [plane as FloatPlane];
  const want = segmenter.config.inChannels;
  if (planes.length !== want) {
    throw new Error(`segmentPlane: the model takes ${want} channel(s) but ${planes.length} plane(s) were given`);
  }
  const { width, height } = planes[0];
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`segmentPlane: image must be at least 1x1, got ${width}x${height}`);
  }
  for (const p of planes) {
    if (p.width !== width || p.height !== height || p.data.length !== width * height) {
      throw new Error(`segmentPlane: every plane must hold ${width}x${height} values`);
    }
  }
  return planes;
}

/**
 * Segments one normalised image (a plane, or one plane per input channel) by overlap-tiling and returns
 * the foreground probability map. Cancels with an AbortError between batches when options.signal fires.
 */
export async function segmentPlane(
  segmenter: Segmenter,
  plane: FloatPlane | readonly FloatPlane[],
  options: SegmentOptions = {},
): Promise<SegmentResult> {
  const config = segmenter.config;
  const planes = planesOf(segmenter, plane);
  const { width, height } = planes[0];
  const fg = options.foregroundClass ?? 1;
  if (!Number.isInteger(fg) || fg < 0 || fg >= config.classes) {
    throw new RangeError(`segmentPlane: foregroundClass ${fg} is not one of the model's ${config.classes} classes`);
  }
  const weights = checkedClassWeights(options.classWeights, config.classes, 'segmentPlane');
  const backend = tf.getBackend();
  const defaults = budgetFromLimits(
    backend === 'webgpu' || backend === 'webgl' || backend === 'wasm' || backend === 'cpu' ? { backend } : {},
  );
  const budgetBytes = options.budgetBytes ?? defaults.budgetBytes;
  const maxBindingBytes = options.maxBindingBytes ?? defaults.maxBindingBytes;
  let tileOutput: number;
  let batch: number;
  if (options.tileOutput !== undefined) {
    tileOutput = options.tileOutput;
    batch = options.batch ?? 1;
  } else {
    const choice = chooseTile({
      config,
      budgetBytes,
      maxBindingBytes,
      imageSize: { height, width },
      maxBatch: options.maxBatch,
      tta: options.tta,
    });
    tileOutput = choice.tileOutput;
    batch = options.batch ?? choice.batch;
  }
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`segmentPlane: batch must be a positive integer, got ${batch}`);

  const forward: ForwardFn = options.forward ?? ((x) => segmenter.predictTile(x));
  const run: ForwardFn = options.tta ? (x) => ttaPredict(forward, x) : forward;
  const yieldFn = options.yieldFn ?? defaultYield;
  // NaN marks "not predicted yet": a cancelled run hands back the finished tiles (PartialSegmentationError).
  const probabilities = new Float32Array(width * height).fill(Number.NaN);
  const start = tf.util.now();
  let forwardMs = 0;
  /** Forward time of the plan running now, counted into a partial result's timing. */
  let spentSoFar = 0;
  let backoffs = 0;

  for (;;) {
    throwIfAborted(options.signal, 'Segmentation');
    const plan = planTiles(config, height, width, tileOutput);
    try {
      forwardMs += await runPlan(plan, batch);
      return resultOf(plan);
    } catch (error) {
      if (!isOutOfMemoryError(error)) throw error;
      // Start the image again with the smaller tile. Finished tiles are recomputed: the failure comes on
      // the first batch in practice (every batch has the same shape), so little work is lost.
      // Halve the tile side first (memory ~ side^2); only a tile that cannot shrink halves the batch.
      const current = Math.max(plan.outputHeight, plan.outputWidth);
      const smaller = legalTileOutputAtMost(config, Math.floor(current / 2));
      const from = { height: plan.inputHeight, width: plan.inputWidth, batch };
      let next: { tileOutput: number; batch: number } | null = null;
      if (smaller !== null && canPlan(smaller)) next = { tileOutput: smaller, batch };
      else if (batch > 1) next = { tileOutput: current, batch: Math.ceil(batch / 2) };
      if (next === null) throw error;
      tileOutput = next.tileOutput;
      batch = next.batch;
      backoffs++;
      const shape = planShape(config, height, width, tileOutput);
      options.onBackoff?.({
        error: error instanceof Error ? error.message : String(error),
        fromInput: from,
        toInput: { height: shape.inputHeight, width: shape.inputWidth, batch },
        backoffs,
      });
    }
  }

  function resultOf(plan: TilePlan): SegmentResult {
    return {
      probabilities,
      width,
      height,
      tile: {
        inputSize: Math.max(plan.inputHeight, plan.inputWidth),
        outputSize: Math.max(plan.outputHeight, plan.outputWidth),
        inputHeight: plan.inputHeight,
        inputWidth: plan.inputWidth,
        outputHeight: plan.outputHeight,
        outputWidth: plan.outputWidth,
        batch,
        tiles: plan.tiles.length,
      },
      estimateBytes: estimateForwardBytes(config, plan.inputHeight, plan.inputWidth, Math.min(batch, plan.tiles.length), options.tta).peakBytes,
      budgetBytes,
      backoffs,
      waste: plan.waste,
      timing: { totalMs: tf.util.now() - start, forwardMs: forwardMs + spentSoFar },
    };
  }

  function canPlan(out: number): boolean {
    try {
      planShape(config, height, width, out);
      return true;
    } catch {
      return false;
    }
  }

  /** Runs every tile of the plan; returns milliseconds spent in forward passes and read-backs. */
  async function runPlan(plan: TilePlan, batchSize: number): Promise<number> {
    const { inputHeight: ih, inputWidth: iw, tiles } = plan;
    const crop = outputCrop(config);
    const netH = plan.outputHeight + 2 * crop;
    const netW = plan.outputWidth + 2 * crop;
    const channels = planes.length;
    const planStart = tf.util.now();
    let spent = 0;
    for (let i = 0; i < tiles.length; i += batchSize) {
      if (i > 0 && options.signal?.aborted) {
        spentSoFar = spent;
        throw new PartialSegmentationError(resultOf(plan), i, tiles.length, { cause: options.signal.reason });
      }
      throwIfAborted(options.signal, 'Segmentation');
      const group = tiles.slice(i, i + batchSize);
      const data = new Float32Array(group.length * ih * iw * channels);
      group.forEach((t, b) => extractMirroredWindow(planes, t.inY, t.inX, ih, iw, data, b * ih * iw * channels));
      const t0 = tf.util.now();
      const x = tf.tensor4d(data, [group.length, ih, iw, channels]);
      let fgMap: tf.Tensor4D | null = null;
      let values: Float32Array;
      try {
        fgMap = tf.tidy(() => {
          const probs = run(x);
          if (probs.shape[0] !== group.length || probs.shape[1] !== netH || probs.shape[2] !== netW) {
            throw new Error(
              `segmentPlane: forward returned [${probs.shape.join(', ')}], expected [${group.length}, ${netH}, ${netW}, ${config.classes}]`,
            );
          }
          return weights === undefined
            ? tf.slice(probs, [0, 0, 0, fg], [-1, -1, -1, 1])
            : tf.sum(tf.mul(probs, tf.tensor1d(weights)), -1, true);
        });
        values = (await fgMap.data()) as Float32Array;
      } finally {
        x.dispose();
        fgMap?.dispose();
      }
      spent += tf.util.now() - t0;
      group.forEach((t, b) => {
        for (let y = 0; y < t.outH; y++) {
          const src = (b * netH + t.srcY + y) * netW + t.srcX;
          probabilities.set(values.subarray(src, src + t.outW), (t.outY + y) * width + t.outX);
        }
      });
      const tilesDone = i + group.length;
      const now = tf.util.now();
      const pace = (now - planStart) / tilesDone;
      options.onProgress?.({ tilesDone, tilesTotal: tiles.length, elapsedMs: now - start, etaMs: pace * (tiles.length - tilesDone) });
      await yieldFn();
    }
    return spent;
  }
}
