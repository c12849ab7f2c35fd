import * as tf from '@tensorflow/tfjs';
import type { FloatPlane } from '../../image/types';
import type { AbortSignalLike } from '../abort';
import { throwIfAborted } from '../abort';
import { checkedClassWeights } from '../classWeights';
import { budgetFromLimits, chooseTile } from '../memoryBudget';
import { extractMirroredWindow } from '../mirror';
import { planTiles } from '../tiling';
import { DIHEDRAL } from '../tta';
import type { UnetConfig } from '../types';
import { outputCrop } from '../validSize';
import { transformNhwc } from './dihedralArray';
import type { NhwcArray } from './dihedralArray';

/*
 * Overlap-tile segmentation with a runtime other than tfjs (onnxruntime in Node today, onnxruntime-web
 * later): the same plan as segmentPlane (tiling.ts: tiles on the 2^depth grid, input windows read from
 * the mirrored image, each output pixel written by exactly one tile), the same tile choice (chooseTile
 * under the wasm/CPU default budget unless a tile is given), and the same TTA (the 8 dihedral
 * transforms, averaged), so its probabilities equal segmentPlane's up to the runtimes' float rounding.
 * No tensors: the runner maps an NHWC Float32Array batch to the NHWC softmax.
 */

/** Runs one batch of tiles: NHWC input -> NHWC per-class probabilities. */
export type TileRunner = (input: NhwcArray) => Promise<NhwcArray>;

/** Options of segmentTiles. */
export interface SegmentTilesOptions {
  /** Class whose probability is returned (default 1). */
  readonly foregroundClass?: number;
  /** Instead of one class: sum_c classWeights[c] * p_c (a model card's classWeights). */
  readonly classWeights?: readonly number[];
  /** Exact tile output side; default: chooseTile under `budgetBytes`. */
  readonly tileOutput?: number;
  /** Tiles per runner call; default: chooseTile's. */
  readonly batch?: number;
  /** Budget of chooseTile (default: the 1 GiB wasm/CPU default of budgetFromLimits). */
  readonly budgetBytes?: number;
  readonly maxBatch?: number;
  /** Average over the 8 flips/rotations of every tile. */
  readonly tta?: boolean;
  readonly signal?: AbortSignalLike;
  readonly onProgress?: (progress: { readonly tilesDone: number; readonly tilesTotal: number }) => void;
}

/** Result of segmentTiles (the fields of SegmentResult the tools use). */
export interface SegmentTilesResult {
  readonly probabilities: Float32Array;
  readonly width: number;
  readonly height: number;
  readonly tile: { readonly inputHeight: number; readonly inputWidth: number; readonly outputHeight: number; readonly outputWidth: number; readonly batch: number; readonly tiles: number };
  readonly timing: { readonly totalMs: number; readonly forwardMs: number };
}

async function runTta(run: TileRunner, x: NhwcArray): Promise<NhwcArray> {
  let sum: Float32Array | null = null;
  let dims: NhwcArray['dims'] = x.dims;
  for (const g of DIHEDRAL) {
    const back = transformNhwc(await run(transformNhwc(x, g, false)), g, true);
    if (sum === null) {
      sum = back.data;
      dims = back.dims;
    } else {
      for (let i = 0; i < sum.length; i++) sum[i] += back.data[i];
    }
  }
  if (sum === null) throw new Error('unreachable: DIHEDRAL is not empty');
  for (let i = 0; i < sum.length; i++) sum[i] /= DIHEDRAL.length;
  return { data: sum, dims };
}

/** Segments one normalised image (a plane per input channel) tile by tile through `run`. */
export async function segmentTiles(
  config: UnetConfig,
  plane: FloatPlane | readonly FloatPlane[],
  run: TileRunner,
  options: SegmentTilesOptions = {},
): Promise<SegmentTilesResult> {
  const planes: readonly FloatPlane[] = Array.isArray(plane) ? (plane as readonly FloatPlane[]) : [plane as FloatPlane];
  if (planes.length !== config.inChannels) {
    throw new Error(`segmentTiles: the model takes ${config.inChannels} channel(s) but ${planes.length} plane(s) were given`);
  }
  const { width, height } = planes[0];
  const fg = options.foregroundClass ?? 1;
  if (!Number.isInteger(fg) || fg < 0 || fg >= config.classes) {
    throw new RangeError(`segmentTiles: foregroundClass ${fg} is not one of the model's ${config.classes} classes`);
  }
  const weights = checkedClassWeights(options.classWeights, config.classes, 'segmentTiles');
  let tileOutput = options.tileOutput;
  let batch = options.batch;
  if (tileOutput === undefined) {
    const defaults = budgetFromLimits({ backend: 'wasm' });
    const choice = chooseTile({
      config,
      budgetBytes: options.budgetBytes ?? defaults.budgetBytes,
      maxBindingBytes: defaults.maxBindingBytes,
      imageSize: { height, width },
      maxBatch: options.maxBatch,
      tta: options.tta,
    });
    tileOutput = choice.tileOutput;
    batch ??= choice.batch;
  }
  batch ??= 1;
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`segmentTiles: batch must be a positive integer, got ${batch}`);

  const start = tf.util.now();
  const plan = planTiles(config, height, width, tileOutput);
  const { inputHeight: ih, inputWidth: iw, tiles } = plan;
  const crop = outputCrop(config);
  const netH = plan.outputHeight + 2 * crop;
  const netW = plan.outputWidth + 2 * crop;
  const channels = planes.length;
  const classes = config.classes;
  const probabilities = new Float32Array(width * height);
  let forwardMs = 0;
  for (let i = 0; i < tiles.length; i += batch) {
    throwIfAborted(options.signal, 'Segmentation');
    const group = tiles.slice(i, i + batch);
    const data = new Float32Array(group.length * ih * iw * channels);
    group.forEach((t, b) => extractMirroredWindow(planes, t.inY, t.inX, ih, iw, data, b * ih * iw * channels));
    const t0 = tf.util.now();
    const input: NhwcArray = { data, dims: [group.length, ih, iw, channels] };
    const out = options.tta ? await runTta(run, input) : await run(input);
    forwardMs += tf.util.now() - t0;
    const [on, oh, ow, oc] = out.dims;
    if (on !== group.length || oh !== netH || ow !== netW || oc !== classes) {
      throw new Error(`segmentTiles: the runner returned [${out.dims.join(', ')}], expected [${group.length}, ${netH}, ${netW}, ${classes}]`);
    }
    group.forEach((t, b) => {
      for (let y = 0; y < t.outH; y++) {
        const row = (b * netH + t.srcY + y) * netW + t.srcX;
        const dst = (t.outY + y) * width + t.outX;
        if (weights === undefined) {
          for (let x = 0; x < t.outW; x++) probabilities[dst + x] = out.data[(row + x) * classes + fg];
        } else {
          for (let x = 0; x < t.outW; x++) {
            let v = 0;
            for (let c = 0; c < classes; c++) v += weights[c] * out.data[(row + x) * classes + c];
            probabilities[dst + x] = v;
          }
        }
      }
    });
    options.onProgress?.({ tilesDone: i + group.length, tilesTotal: tiles.length });
  }
  return {
    probabilities,
    width,
    height,
    tile: { inputHeight: ih, inputWidth: iw, outputHeight: plan.outputHeight, outputWidth: plan.outputWidth, batch, tiles: tiles.length },
    timing: { totalMs: tf.util.now() - start, forwardMs },
  };
}
