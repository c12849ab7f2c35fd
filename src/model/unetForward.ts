/**
 * Inference forward pass of our U-Net with the skip concatenation folded into the convolution after it.
 *
 * Why: on WASM a channel concatenation of NHWC maps is a per-pixel interleave (no arithmetic, but as slow
 * as a small convolution at the full-resolution level; issue 11). A convolution is linear in its input
 * channels, so with the first conv's kernel W = [W_skip | W_up] split along its input channels,
 *   conv(concat(crop(skip), up), W) + bias = conv(crop(skip), W_skip) + conv(up, W_up) + bias,
 * which costs the same FLOPs, needs no concatenated tensor at all, and adds one elementwise add.
 * The crop is a Slice of whole rows and the up-convolution writes whole rows (wasmKernels.ts), so no
 * per-pixel copy remains. Same layers, same weights (read from the model on every call, so fine-tuned
 * weights are used at once), output equal to `model.execute` up to float rounding (tests: ≤ 1e-5).
 *
 * `createFoldedForward` recognises the graph `buildUnetModel` makes (layer names, kinds, wiring) and
 * returns null for anything else, which then runs through `model.execute` as before.
 */
import * as tf from '@tensorflow/tfjs';

/** Runs the network on a batch of tiles in inference mode (no dropout). Call inside tf.tidy. */
export type ForwardPass = (input: tf.Tensor4D) => tf.Tensor4D;

interface ConvSpec {
  readonly layer: tf.layers.Layer;
  readonly pad: 'valid' | 'same';
}

type LayerConfig = tf.serialization.ConfigDict;

function configOf(layer: tf.layers.Layer | undefined): LayerConfig | undefined {
  return layer?.getConfig();
}

function sameList(a: unknown, b: readonly (number | string)[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((v, i) => v === b[i]);
}

/** A 3x3 (or 1x1) stride-1 conv with the expected activation and a bias, or undefined. */
function convSpec(layer: tf.layers.Layer | undefined, kernel: number, activation: string): ConvSpec | undefined {
  const c = configOf(layer);
  if (layer === undefined || c === undefined || layer.getClassName() !== 'Conv2D') return undefined;
  const ok =
    sameList(c.kernelSize, [kernel, kernel]) &&
    sameList(c.strides, [1, 1]) &&
    sameList(c.dilationRate, [1, 1]) &&
    c.activation === activation &&
    c.useBias === true &&
    c.dataFormat === 'channelsLast' &&
    (c.padding === 'valid' || c.padding === 'same');
  return ok ? { layer, pad: c.padding as 'valid' | 'same' } : undefined;
}

function isLastAxis(c: LayerConfig | undefined): boolean {
  return c?.axis === -1 || c?.axis === 3;
}

function inboundNames(layer: tf.layers.Layer): string[] {
  const nodes = (layer as unknown as { inboundNodes: { inboundLayers: tf.layers.Layer[] }[] }).inboundNodes;
  return nodes.length === 1 ? nodes[0].inboundLayers.map((l) => l.name) : [];
}

interface Level {
  readonly conv1: ConvSpec;
  readonly conv2: ConvSpec;
  readonly upconv: tf.layers.Layer;
  readonly crop: number;
  readonly upConv1: ConvSpec;
  readonly upConv2: ConvSpec;
}

function levelAt(layers: Map<string, tf.layers.Layer>, k: number): Level | undefined {
  const conv1 = convSpec(layers.get(`down${k}_conv1`), 3, 'relu');
  const conv2 = convSpec(layers.get(`down${k}_conv2`), 3, 'relu');
  const upConv1 = convSpec(layers.get(`up${k}_conv1`), 3, 'relu');
  const upConv2 = convSpec(layers.get(`up${k}_conv2`), 3, 'relu');
  const upconv = layers.get(`up${k}_upconv`);
  const concat = layers.get(`up${k}_concat`);
  const cropLayer = layers.get(`up${k}_crop`);
  if (!conv1 || !conv2 || !upConv1 || !upConv2 || !upconv || !concat) return undefined;
  const u = configOf(upconv) as LayerConfig;
  const upOk =
    upconv.getClassName() === 'Conv2DTranspose' &&
    sameList(u.kernelSize, [2, 2]) &&
    sameList(u.strides, [2, 2]) &&
    u.padding === 'valid' &&
    u.activation === 'linear' &&
    u.useBias === true;
  const skipName = cropLayer === undefined ? `down${k}_conv2` : `up${k}_crop`;
  const wired =
    concat.getClassName() === 'Concatenate' &&
    isLastAxis(configOf(concat)) &&
    sameList(inboundNames(concat), [skipName, `up${k}_upconv`]) &&
    inboundNames(upConv1.layer)[0] === `up${k}_concat`;
  // SkipCrop2D (unet.ts) by class name and config: importing the class here would be an import cycle.
  const crop = cropLayer === undefined ? 0 : configOf(cropLayer)?.cropping;
  const cropOk = cropLayer === undefined || (cropLayer.getClassName() === 'SkipCrop2D' && Number.isInteger(crop));
  if (!upOk || !wired || !cropOk) return undefined;
  return { conv1, conv2, upconv, crop: crop as number, upConv1, upConv2 };
}

/**
 * Each helper disposes its input feature map once it is consumed (never the network input), so the peak
 * memory is what model.execute has (memoryBudget.ts's estimate) rather than every activation at once.
 */
function consume<T extends tf.Tensor>(result: T, ...inputs: tf.Tensor[]): T {
  for (const t of inputs) t.dispose();
  return result;
}

function conv(x: tf.Tensor4D, spec: ConvSpec, activation: 'relu' | 'linear'): tf.Tensor4D {
  // getWeights() returns the layer's variables themselves: never disposed here.
  const [kernel, bias] = spec.layer.getWeights() as [tf.Tensor4D, tf.Tensor1D];
  return tf.fused.conv2d({ x, filter: kernel, strides: 1, pad: spec.pad, bias, activation });
}

/** conv1 of an expanding level on concat(skip, up) without building the concatenation; consumes both. */
function foldedConv(skip: tf.Tensor4D, up: tf.Tensor4D, spec: ConvSpec): tf.Tensor4D {
  const [kernel, bias] = spec.layer.getWeights() as [tf.Tensor4D, tf.Tensor1D];
  const [kh, kw, , filters] = kernel.shape;
  const cs = skip.shape[3];
  const wSkip = tf.slice(kernel, [0, 0, 0, 0], [kh, kw, cs, filters]);
  const wUp = tf.slice(kernel, [0, 0, cs, 0], [kh, kw, -1, filters]);
  const fromSkip = consume(tf.conv2d(skip, wSkip, 1, spec.pad), wSkip, skip);
  const fromUp = consume(tf.fused.conv2d({ x: up, filter: wUp, strides: 1, pad: spec.pad, bias }), wUp, up);
  const sum = consume(tf.add<tf.Tensor4D>(fromSkip, fromUp), fromSkip, fromUp);
  return consume(tf.relu(sum), sum);
}

function upConvolution(x: tf.Tensor4D, layer: tf.layers.Layer): tf.Tensor4D {
  const [kernel, bias] = layer.getWeights() as [tf.Tensor4D, tf.Tensor1D];
  const [n, h, w] = x.shape;
  const up = tf.conv2dTranspose(x, kernel, [n, 2 * h, 2 * w, kernel.shape[2]], 2, 'valid');
  return consume(tf.add<tf.Tensor4D>(up, bias), up);
}

/** The folded forward pass of a U-Net built by buildUnetModel, or null when the graph is not one. */
export function createFoldedForward(model: tf.LayersModel): ForwardPass | null {
  const layers = new Map(model.layers.map((l) => [l.name, l]));
  let depth = 0;
  while (layers.has(`down${depth}_conv1`)) depth++;
  const levels: Level[] = [];
  for (let k = 0; k < depth; k++) {
    const level = levelAt(layers, k);
    if (level === undefined) return null;
    levels.push(level);
  }
  const bottom1 = convSpec(layers.get('bottom_conv1'), 3, 'relu');
  const bottom2 = convSpec(layers.get('bottom_conv2'), 3, 'relu');
  const logits = convSpec(layers.get('logits'), 1, 'linear');
  const softmax = layers.get('softmax');
  if (depth === 0 || !bottom1 || !bottom2 || !logits || softmax?.getClassName() !== 'Softmax' || !isLastAxis(configOf(softmax))) {
    return null;
  }
  return (input) => {
    const skips: tf.Tensor4D[] = [];
    let x = input;
    for (const level of levels) {
      const h = conv(x, level.conv1, 'relu');
      if (x !== input) x.dispose();
      const skip = consume(conv(h, level.conv2, 'relu'), h);
      skips.push(skip);
      x = tf.maxPool(skip, 2, 2, 'valid');
    }
    const b = consume(conv(x, bottom1, 'relu'), x);
    x = consume(conv(b, bottom2, 'relu'), b);
    for (let k = depth - 1; k >= 0; k--) {
      const level = levels[k];
      const up = consume(upConvolution(x, level.upconv), x);
      const full = skips[k];
      const c = level.crop;
      const skip = c === 0 ? full : consume(tf.slice(full, [0, c, c, 0], [-1, full.shape[1] - 2 * c, full.shape[2] - 2 * c, -1]), full);
      const h = foldedConv(skip, up, level.upConv1);
      x = consume(conv(h, level.upConv2, 'relu'), h);
    }
    const scores = consume(conv(x, logits, 'linear'), x);
    return consume(tf.softmax(scores, -1), scores);
  };
}
