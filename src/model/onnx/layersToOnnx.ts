import type * as tf from '@tensorflow/tfjs';
import type { OnnxAttribute, OnnxNode, OnnxTensor } from './onnxProto';

/*
 * Translation of the tfjs layers a U-Net Studio U-Net is made of into ONNX nodes (NCHW inside the graph).
 * Semantics from the ONNX operator documentation (https://onnx.ai/onnx/operators/):
 *
 * - Conv (onnx__Conv): X [N, C, H, W], W [M, C, kH, kW], B [M]; `pads` = [top, left, bottom, right].
 *   tfjs Conv2D keeps its kernel as [kh, kw, in, out], so W = kernel permuted (3, 2, 0, 1). 'same' with
 *   stride 1 pads (k - 1) split as floor/ceil (top/left get the smaller half), as tfjs does.
 * - Relu (onnx__Relu): max(0, x); the tfjs conv's fused `activation: 'relu'`.
 * - MaxPool (onnx__MaxPool): `kernel_shape`, `strides`, no padding = tfjs 'valid' pooling.
 * - ConvTranspose (onnx__ConvTranspose): W [C, M/group, kH, kW]; without pads the output side is
 *   stride * (in - 1) + kernel, 2n for our 2x2 stride-2 up-convolution. tfjs conv2dTranspose keeps its
 *   kernel as [kh, kw, out, in], so W = kernel permuted (3, 2, 0, 1) as well, with no spatial flip:
 *   both define y[s*i + a] += x[i] * w[a] (the numerics test checks this against tfjs).
 * - Slice (onnx__Slice, since opset 13 starts/ends/axes are int64 input tensors): negative `ends` count
 *   from the end of the axis, so one [c, c] / [-c, -c] slice on axes [2, 3] is the centre crop of
 *   SkipCrop2D for every input size.
 * - Concat (onnx__Concat): along `axis`; channels-last axis -1 becomes axis 1 in NCHW.
 * - Softmax (onnx__Softmax, opset >= 13): normalises along the single axis `axis` (before opset 13 the
 *   input was flattened to 2-D from that axis on, which would mix pixels); channels = axis 1 in NCHW.
 * - Transpose (onnx__Transpose): output axis i is input axis perm[i]; used at the graph's NHWC edges.
 * - Dropout is the identity at inference, so it is left out (its output name aliases its input).
 */

/** What a translated layer adds to the graph. */
export interface LayerOnnx {
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  /** Set when the layer is the identity at inference: its output is this value. */
  readonly alias?: string;
}

/** A layer plus the ONNX names of its inputs and of its (single) output. */
export interface LayerContext {
  readonly layer: tf.layers.Layer;
  readonly inputs: readonly string[];
  readonly output: string;
}

/** A layer (or a setting of one) that has no translation. */
export class OnnxExportError extends Error {
  override readonly name = 'OnnxExportError';
}

type Config = Record<string, unknown>;

function configOf(layer: tf.layers.Layer): Config {
  return layer.getConfig() as Config;
}

function pair(layer: tf.layers.Layer, config: Config, key: string, fallback?: number): [number, number] {
  const v = config[key] ?? fallback;
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((n) => typeof n === 'number')) return [v[0] as number, v[1] as number];
  throw new OnnxExportError(`layer ${layer.name}: cannot read ${key} (${JSON.stringify(v)})`);
}

function supported(layer: tf.layers.Layer, ok: boolean, what: string): void {
  if (!ok) throw new OnnxExportError(`layer ${layer.name} (${layer.getClassName()}): ${what} is not supported by the ONNX export`);
}

function channelsLast(layer: tf.layers.Layer, config: Config): void {
  const format = config.dataFormat ?? 'channelsLast';
  supported(layer, format === 'channelsLast', `dataFormat '${String(format)}'`);
}

/** Copies a 4-D row-major array into the axis order `perm` (output axis i = input axis perm[i]). */
export function permute4d(data: Float32Array, shape: readonly number[], perm: readonly number[]): { data: Float32Array; shape: number[] } {
  if (shape.length !== 4 || perm.length !== 4) throw new Error('permute4d: 4-D only');
  const outShape = perm.map((p) => shape[p]);
  const inStrides = [shape[1] * shape[2] * shape[3], shape[2] * shape[3], shape[3], 1];
  const s = perm.map((p) => inStrides[p]);
  const out = new Float32Array(data.length);
  let o = 0;
  for (let a = 0; a < outShape[0]; a++) {
    for (let b = 0; b < outShape[1]; b++) {
      for (let c = 0; c < outShape[2]; c++) {
        const base = a * s[0] + b * s[1] + c * s[2];
        for (let d = 0; d < outShape[3]; d++) out[o++] = data[base + d * s[3]];
      }
    }
  }
  return { data: out, shape: outShape };
}

/** Kernel (permuted (3, 2, 0, 1)) and bias of a conv or transposed-conv layer as initializers. */
function kernelAndBias(layer: tf.layers.Layer, config: Config): { inputs: string[]; initializers: OnnxTensor[] } {
  const weights = layer.getWeights();
  const useBias = config.useBias !== false;
  supported(layer, weights.length === (useBias ? 2 : 1), `a weight list of ${weights.length}`);
  const kernel = weights[0];
  supported(layer, kernel.rank === 4, `a kernel of rank ${kernel.rank}`);
  const k = permute4d(kernel.dataSync() as Float32Array, kernel.shape, [3, 2, 0, 1]);
  const initializers: OnnxTensor[] = [{ name: `${layer.name}/kernel`, dataType: 'float32', dims: k.shape, data: k.data }];
  if (useBias) {
    initializers.push({ name: `${layer.name}/bias`, dataType: 'float32', dims: weights[1].shape, data: weights[1].dataSync() as Float32Array });
  }
  return { inputs: initializers.map((t) => t.name), initializers };
}

/** A linear layer output, or the same followed by Relu. */
function withActivation(ctx: LayerContext, config: Config, op: Omit<OnnxNode, 'outputs'>, initializers: OnnxTensor[]): LayerOnnx {
  const activation = config.activation ?? 'linear';
  supported(ctx.layer, activation === 'linear' || activation === 'relu', `activation '${String(activation)}'`);
  if (activation === 'linear') return { nodes: [{ ...op, outputs: [ctx.output] }], initializers };
  const pre = `${ctx.output}/preact`;
  return {
    nodes: [
      { ...op, outputs: [pre] },
      { opType: 'Relu', name: `${ctx.layer.name}/relu`, inputs: [pre], outputs: [ctx.output] },
    ],
    initializers,
  };
}

function conv2d(ctx: LayerContext): LayerOnnx {
  const { layer } = ctx;
  const config = configOf(layer);
  channelsLast(layer, config);
  const [kh, kw] = pair(layer, config, 'kernelSize');
  supported(layer, pair(layer, config, 'strides', 1).every((s) => s === 1), 'a stride other than 1');
  supported(layer, pair(layer, config, 'dilationRate', 1).every((d) => d === 1), 'dilation');
  const padding = config.padding;
  supported(layer, padding === 'valid' || padding === 'same', `padding '${String(padding)}'`);
  const pads = padding === 'same' ? [Math.floor((kh - 1) / 2), Math.floor((kw - 1) / 2), Math.ceil((kh - 1) / 2), Math.ceil((kw - 1) / 2)] : [0, 0, 0, 0];
  const w = kernelAndBias(layer, config);
  const attributes: OnnxAttribute[] = [
    { name: 'kernel_shape', type: 'ints', value: [kh, kw] },
    { name: 'pads', type: 'ints', value: pads },
    { name: 'strides', type: 'ints', value: [1, 1] },
  ];
  return withActivation(ctx, config, { opType: 'Conv', name: layer.name, inputs: [...ctx.inputs, ...w.inputs], attributes }, w.initializers);
}

function conv2dTranspose(ctx: LayerContext): LayerOnnx {
  const { layer } = ctx;
  const config = configOf(layer);
  channelsLast(layer, config);
  const [kh, kw] = pair(layer, config, 'kernelSize');
  const [sh, sw] = pair(layer, config, 'strides', 1);
  // Only the non-overlapping up-convolution (stride = kernel, 'valid'): its output side is exactly
  // stride * input for every input size, which is what tfjs computes too.
  supported(layer, config.padding === 'valid' && sh === kh && sw === kw, `a transposed conv other than kernel = stride, 'valid'`);
  const w = kernelAndBias(layer, config);
  const attributes: OnnxAttribute[] = [
    { name: 'kernel_shape', type: 'ints', value: [kh, kw] },
    { name: 'strides', type: 'ints', value: [sh, sw] },
  ];
  return withActivation(ctx, config, { opType: 'ConvTranspose', name: layer.name, inputs: [...ctx.inputs, ...w.inputs], attributes }, w.initializers);
}

function maxPooling2d(ctx: LayerContext): LayerOnnx {
  const { layer } = ctx;
  const config = configOf(layer);
  channelsLast(layer, config);
  supported(layer, config.padding === 'valid', `padding '${String(config.padding)}'`);
  const kernel = pair(layer, config, 'poolSize');
  const strides = pair(layer, config, 'strides', kernel[0]);
  return {
    nodes: [
      {
        opType: 'MaxPool',
        name: layer.name,
        inputs: ctx.inputs,
        outputs: [ctx.output],
        attributes: [
          { name: 'kernel_shape', type: 'ints', value: kernel },
          { name: 'strides', type: 'ints', value: strides },
        ],
      },
    ],
    initializers: [],
  };
}

function skipCrop(ctx: LayerContext): LayerOnnx {
  const c = configOf(ctx.layer).cropping;
  supported(ctx.layer, typeof c === 'number' && Number.isInteger(c) && c >= 0, `cropping ${JSON.stringify(c)}`);
  const crop = c as number;
  if (crop === 0) return { nodes: [], initializers: [], alias: ctx.inputs[0] };
  const name = ctx.layer.name;
  const constant = (suffix: string, data: number[]): OnnxTensor => ({ name: `${name}/${suffix}`, dataType: 'int64', dims: [2], data });
  const initializers = [constant('starts', [crop, crop]), constant('ends', [-crop, -crop]), constant('axes', [2, 3])];
  return {
    nodes: [{ opType: 'Slice', name, inputs: [ctx.inputs[0], ...initializers.map((t) => t.name)], outputs: [ctx.output] }],
    initializers,
  };
}

/** Channels-last axis (-1 or 3) of a rank-4 NHWC tensor, else an error. */
function channelAxis(layer: tf.layers.Layer): void {
  const axis = configOf(layer).axis;
  const a = Array.isArray(axis) && axis.length === 1 ? axis[0] : axis;
  supported(layer, a === -1 || a === 3, `axis ${JSON.stringify(axis)} (only the channel axis)`);
}

function concatenate(ctx: LayerContext): LayerOnnx {
  channelAxis(ctx.layer);
  return {
    nodes: [{ opType: 'Concat', name: ctx.layer.name, inputs: ctx.inputs, outputs: [ctx.output], attributes: [{ name: 'axis', type: 'int', value: 1 }] }],
    initializers: [],
  };
}

function softmax(ctx: LayerContext): LayerOnnx {
  channelAxis(ctx.layer);
  return {
    nodes: [{ opType: 'Softmax', name: ctx.layer.name, inputs: ctx.inputs, outputs: [ctx.output], attributes: [{ name: 'axis', type: 'int', value: 1 }] }],
    initializers: [],
  };
}

function dropout(ctx: LayerContext): LayerOnnx {
  return { nodes: [], initializers: [], alias: ctx.inputs[0] };
}

/** Translations by tfjs class name. */
export const LAYER_TRANSLATIONS: Readonly<Record<string, (ctx: LayerContext) => LayerOnnx>> = {
  Conv2D: conv2d,
  Conv2DTranspose: conv2dTranspose,
  MaxPooling2D: maxPooling2d,
  SkipCrop2D: skipCrop,
  Concatenate: concatenate,
  Softmax: softmax,
  Dropout: dropout,
};
