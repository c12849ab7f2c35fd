import type { UnetConfig } from './types';
import { filtersAt } from './unet';
import { legalTileOutputAtLeast, planShape } from './tiling';
import {
  assertConfig,
  contextMargin,
  legalInputSizes,
  minTileInputSize,
  outputSize,
  sizeStep,
  tileOutputSize,
  traceSizes,
} from './validSize';

/*
 * Memory needed by one forward pass, estimated from the layer output shapes of the U-Net built by unet.ts
 * (same layers, same order; a test checks the shapes against the real model).
 *
 * Model of tfjs inference (LayersModel.execute, which Segmenter.predictTile uses): layers run in
 * topological order; a layer's output stays alive until its last consumer has run — so every skip
 * feature map of the contracting path stays alive until its concatenation in the expanding path, the
 * reason U-Net inference needs far more memory than the largest layer. While a layer runs, its inputs,
 * every other live tensor and its output are allocated at once. Conv + bias + ReLU and the 1x1 head run
 * as one fused kernel and softmax as one kernel: one output tensor each. The up-convolution is a
 * transposed conv followed by a separate bias add, so it briefly holds two output-sized tensors.
 * Weights and the input tile are alive throughout. Bytes are float32. Scratch memory that a backend
 * allocates inside one kernel (the CPU backend's unfused intermediates, WebGPU uniform buffers) is not
 * visible to tf.memory() and is not modelled; budgetFromLimits leaves headroom for it, and the OOM
 * back-off of segmentPlane catches the rest.
 *
 * Separately, the largest single tensor must fit one storage-buffer binding on WebGPU
 * (maxStorageBufferBindingSize, 128 MiB by default): a tile can be within budget and still fail there.
 */

const BYTES = 4;

/** One layer output in the shape trace. */
export interface TraceNode {
  readonly name: string;
  readonly kind: 'input' | 'conv' | 'pool' | 'copy' | 'upconv' | 'crop' | 'concat' | 'head' | 'softmax';
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** Indices of the nodes this one reads. */
  readonly inputs: readonly number[];
  /** Output-sized temporaries the kernel allocates besides its output. */
  readonly transient: number;
}

/**
 * Layer-by-layer output shapes for one tile of inputHeight x inputWidth, in the order tfjs executes them
 * (names match the layers of unet.ts).
 */
export function forwardTrace(config: UnetConfig, inputHeight: number, inputWidth: number): TraceNode[] {
  assertConfig(config);
  const ty = traceSizes(config, inputHeight);
  const tx = traceSizes(config, inputWidth);
  if (!ty || !tx) {
    // outputSize throws the descriptive error.
    outputSize(config, ty ? inputWidth : inputHeight);
    throw new Error('unreachable');
  }
  const trim = config.padding === 'valid' ? 2 : 0;
  const nodes: TraceNode[] = [];
  const add = (n: Omit<TraceNode, 'transient'>, transient = 0): number => nodes.push({ ...n, transient }) - 1;
  let h = inputHeight;
  let w = inputWidth;
  let x = add({ name: 'image', kind: 'input', height: h, width: w, channels: config.inChannels, inputs: [] });
  const conv = (name: string, filters: number): void => {
    h -= trim;
    w -= trim;
    x = add({ name, kind: 'conv', height: h, width: w, channels: filters, inputs: [x] });
  };
  const skips: number[] = [];
  for (let k = 0; k < config.depth; k++) {
    conv(`down${k}_conv1`, filtersAt(config, k));
    conv(`down${k}_conv2`, filtersAt(config, k));
    skips.push(x);
    h /= 2;
    w /= 2;
    x = add({ name: `down${k}_pool`, kind: 'pool', height: h, width: w, channels: filtersAt(config, k), inputs: [x] });
  }
  conv('bottom_conv1', filtersAt(config, config.depth));
  conv('bottom_conv2', filtersAt(config, config.depth));
  if (config.dropout > 0) {
    // Inference dropout passes its input through, and tfjs-layers clones an output that is also an input.
    x = add({ name: 'bottom_dropout', kind: 'copy', height: h, width: w, channels: filtersAt(config, config.depth), inputs: [x] });
  }
  for (let k = config.depth - 1; k >= 0; k--) {
    const f = filtersAt(config, k);
    h *= 2;
    w *= 2;
    // Execution order (tfjs executor's topological sort): up-convolution, then the crop of the skip.
    const up = add({ name: `up${k}_upconv`, kind: 'upconv', height: h, width: w, channels: f, inputs: [x] }, 1);
    let skip = skips[k];
    if (ty.skipCrop[k] > 0 || tx.skipCrop[k] > 0) {
      skip = add({ name: `up${k}_crop`, kind: 'crop', height: h, width: w, channels: f, inputs: [skip] });
    }
    x = add({ name: `up${k}_concat`, kind: 'concat', height: h, width: w, channels: 2 * f, inputs: [skip, up] });
    conv(`up${k}_conv1`, f);
    conv(`up${k}_conv2`, f);
  }
  x = add({ name: 'logits', kind: 'head', height: h, width: w, channels: config.classes, inputs: [x] });
  add({ name: 'softmax', kind: 'softmax', height: h, width: w, channels: config.classes, inputs: [x] });
  return nodes;
}

/** Trainable parameters of the U-Net (conv kernels and biases). */
export function parameterCount(config: UnetConfig): number {
  assertConfig(config);
  const conv = (k: number, cin: number, cout: number): number => k * k * cin * cout + cout;
  let total = 0;
  let cin: number = config.inChannels;
  for (let k = 0; k <= config.depth; k++) {
    const f = filtersAt(config, k);
    total += conv(3, cin, f) + conv(3, f, f);
    cin = f;
  }
  for (let k = config.depth - 1; k >= 0; k--) {
    const f = filtersAt(config, k);
    total += conv(2, cin, f) + conv(3, 2 * f, f) + conv(3, f, f);
    cin = f;
  }
  return total + conv(1, cin, config.classes);
}

/** Estimated memory of one forward pass. */
export interface ForwardEstimate {
  /** Peak bytes allocated at once: weights + input + live activations + kernel temporaries. */
  readonly peakBytes: number;
  readonly weightBytes: number;
  /** Peak activation bytes (peakBytes minus weights). */
  readonly activationBytes: number;
  /** The largest single tensor (to compare against maxStorageBufferBindingSize). */
  readonly largestTensorBytes: number;
  /** Layer at which the peak occurs. */
  readonly peakLayer: string;
}

/**
 * Estimates the peak bytes of a forward pass of `batch` tiles of inputHeight x inputWidth. With `tta`
 * (tta.ts runs the 8 transforms one after another) the transformed input copy and the running sum of the
 * un-transformed outputs are alive on top of one forward pass.
 */
export function estimateForwardBytes(
  config: UnetConfig,
  inputHeight: number,
  inputWidth: number,
  batch = 1,
  tta = false,
): ForwardEstimate {
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`batch must be a positive integer, got ${batch}`);
  const nodes = forwardTrace(config, inputHeight, inputWidth);
  const bytes = nodes.map((n) => n.height * n.width * n.channels * batch * BYTES);
  const lastUse = nodes.map((_, i) => i);
  nodes.forEach((n, i) => n.inputs.forEach((j) => (lastUse[j] = Math.max(lastUse[j], i))));
  const weightBytes = parameterCount(config) * BYTES;
  // The input tile is fed from outside and is never freed by the executor.
  let live = bytes[0];
  let peak = live;
  let peakLayer = nodes[0].name;
  for (let i = 1; i < nodes.length; i++) {
    const during = live + bytes[i] * (1 + nodes[i].transient);
    if (during > peak) {
      peak = during;
      peakLayer = nodes[i].name;
    }
    live += bytes[i];
    // Inputs whose last reader was this layer are freed after it ran (never the fed input).
    for (const j of nodes[i].inputs) if (lastUse[j] === i && j !== 0) live -= bytes[j];
  }
  if (tta) peak += bytes[0] + bytes[bytes.length - 1];
  return {
    peakBytes: weightBytes + peak,
    weightBytes,
    activationBytes: peak,
    largestTensorBytes: Math.max(...bytes),
    peakLayer,
  };
}

/** Arguments of chooseTile. */
export interface ChooseTileArgs {
  readonly config: UnetConfig;
  /** Bytes the forward pass may use (see budgetFromLimits). */
  readonly budgetBytes: number;
  /** Largest single tensor allowed (WebGPU maxStorageBufferBindingSize); Infinity if none. */
  readonly maxBindingBytes?: number;
  readonly imageSize: { readonly height: number; readonly width: number };
  /** Upper bound on tiles per forward pass (default 8). */
  readonly maxBatch?: number;
  /** Upper bound on the tile input side (default: no bound beyond what the image needs). */
  readonly maxInputSize?: number;
  /** Budget for test-time augmentation (see estimateForwardBytes). */
  readonly tta?: boolean;
}

/** The chooser's answer. */
export interface TileChoice {
  /** Requested exact output side (pass to planTiles); the plan may shrink it per axis. */
  readonly tileOutput: number;
  readonly inputHeight: number;
  readonly inputWidth: number;
  readonly batch: number;
  readonly tiles: number;
  readonly estimate: ForwardEstimate;
}

/**
 * Chooses the largest legal tile whose forward pass fits the budget and whose largest tensor fits one
 * binding, then the largest batch (<= maxBatch, <= tiles in the plan) that still fits. Larger tiles
 * first because they waste less on margins; batching only amortises per-call overhead. Throws if not
 * even the smallest tile fits.
 */
export function chooseTile(args: ChooseTileArgs): TileChoice {
  const { config, budgetBytes, imageSize } = args;
  const maxBinding = args.maxBindingBytes ?? Infinity;
  const maxBatch = args.maxBatch ?? 8;
  if (!(budgetBytes > 0)) throw new RangeError(`budgetBytes must be positive, got ${budgetBytes}`);
  const fits = (e: ForwardEstimate): boolean => e.peakBytes <= budgetBytes && e.largestTensorBytes <= maxBinding;
  // No tile needs to be larger than one covering the whole image.
  const longest = Math.max(imageSize.height, imageSize.width);
  const cap = Math.min(args.maxInputSize ?? Infinity, longest + 2 * contextMargin(config) + 2 ** config.depth);
  const sizes = legalInputSizes(config, Math.max(cap, minTileInputSize(config)), minTileInputSize(config)).reverse();
  const minStrideOutput = legalTileOutputAtLeast(config, sizeStep(config));
  let lastShape = '';
  for (const n of sizes) {
    const tileOutput = tileOutputSize(config, n);
    // Tiles below one pooling cell of stride cannot tile a large image; smaller sizes cannot either.
    if (tileOutput < minStrideOutput && tileOutput < Math.max(imageSize.height, imageSize.width)) break;
    const shape = planShape(config, imageSize.height, imageSize.width, tileOutput);
    const key = `${shape.inputHeight}x${shape.inputWidth}`;
    if (key === lastShape) continue;
    lastShape = key;
    let estimate = estimateForwardBytes(config, shape.inputHeight, shape.inputWidth, 1, args.tta);
    if (!fits(estimate)) continue;
    let batch = 1;
    const tiles = shape.rows * shape.cols;
    while (batch < Math.min(maxBatch, tiles)) {
      const next = estimateForwardBytes(config, shape.inputHeight, shape.inputWidth, batch + 1, args.tta);
      if (!fits(next)) break;
      batch++;
      estimate = next;
    }
    return { tileOutput, inputHeight: shape.inputHeight, inputWidth: shape.inputWidth, batch, tiles, estimate };
  }
  const smallest = estimateForwardBytes(config, minTileInputSize(config), minTileInputSize(config));
  throw new RangeError(
    `no tile fits the memory budget of ${(budgetBytes / 2 ** 20).toFixed(1)} MiB: the smallest legal tile ` +
      `needs ${(smallest.peakBytes / 2 ** 20).toFixed(1)} MiB (weights ${(smallest.weightBytes / 2 ** 20).toFixed(1)} MiB)`,
  );
}

/** What is known about the device (all optional). */
export interface DeviceLimits {
  /** WebGPU adapter/device limit maxStorageBufferBindingSize (bytes). */
  readonly maxStorageBufferBindingSize?: number;
  /** WebGPU limit maxBufferSize (bytes). */
  readonly maxBufferSize?: number;
  /** navigator.deviceMemory (GiB, rounded and capped at 8 by browsers). */
  readonly deviceMemoryGiB?: number;
  /** Backend the budget is for; wasm and cpu live in the JS/wasm heap. */
  readonly backend?: 'webgpu' | 'webgl' | 'wasm' | 'cpu';
  /** User override of the budget in bytes (wins over everything). */
  readonly overrideBytes?: number;
}

/** A memory budget and where it came from (shown in the UI). */
export interface MemoryBudget {
  readonly budgetBytes: number;
  readonly maxBindingBytes: number;
  readonly source: string;
}

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/**
 * Heuristic budget for one forward pass. Browsers expose no GPU memory size, so we take a quarter of the
 * reported device memory (integrated GPUs share it; the page, the image and the browser need the rest),
 * 1 GiB when unknown, clamped to [256 MiB, 4 GiB]; wasm/cpu are also held under 1 GiB because the wasm32
 * heap is at most 2-4 GiB and must hold the model and the image as well. A single tensor must fit
 * maxStorageBufferBindingSize (WebGPU default 128 MiB) and maxBufferSize. A user override wins; the
 * OOM back-off in segmentPlane catches what the heuristic gets wrong.
 */
export function budgetFromLimits(limits: DeviceLimits = {}): MemoryBudget {
  const binding = Math.min(
    limits.maxStorageBufferBindingSize ?? (limits.backend === 'webgpu' || limits.backend === undefined ? 128 * MiB : Infinity),
    limits.maxBufferSize ?? Infinity,
  );
  const maxBindingBytes = Number.isFinite(binding) ? binding : 2 * GiB;
  if (limits.overrideBytes !== undefined) {
    if (!(limits.overrideBytes > 0)) throw new RangeError(`memory override must be positive, got ${limits.overrideBytes}`);
    return { budgetBytes: limits.overrideBytes, maxBindingBytes, source: 'user override' };
  }
  const memory = limits.deviceMemoryGiB;
  let budgetBytes = memory !== undefined && memory > 0 ? (memory * GiB) / 4 : GiB;
  budgetBytes = Math.min(4 * GiB, Math.max(256 * MiB, budgetBytes));
  if (limits.backend === 'wasm' || limits.backend === 'cpu') budgetBytes = Math.min(budgetBytes, GiB);
  const source =
    memory !== undefined ? `quarter of deviceMemory ${memory} GiB` : 'default 1 GiB (device memory unknown)';
  return { budgetBytes, maxBindingBytes, source };
}
