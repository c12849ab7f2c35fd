import * as tf from '@tensorflow/tfjs';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology';
import type { Initializer } from '@tensorflow/tfjs-layers/dist/initializers';
import type { Segmenter, UnetConfig } from './types';
import { createFoldedForward } from './unetForward';
import { wasmFastPathsEnabled } from './wasmFastPaths';
import { assertConfig, isLegalInputSize, minInputSize, nearestLegalInputSize, traceSizes } from './validSize';

/*
 * The U-Net of Ronneberger, Fischer & Brox (MICCAI 2015), built with the tfjs layers API so that it
 * trains with model.fit / optimizers and saves in the standard tfjs layers format.
 *
 * Contracting path: per level two 3x3 convs + ReLU, then 2x2 max-pool stride 2; filters double per level.
 * Dropout after the two bottom convs (the end of the contracting path).
 * Expanding path: per level a 2x2 "up-convolution" halving the filters, concatenation with the centre-
 * cropped skip features of the same level, two 3x3 convs + ReLU. Final 1x1 conv to `classes` + softmax.
 *
 * The up-convolution is a 2x2 transposed convolution with stride 2 (the paper's Caffe "Deconvolution",
 * kernel 2, stride 2). Mathematically this *is* "upsampling followed by a 2x2 convolution": zero-insert
 * upsampling followed by a 2x2 conv. We deliberately do NOT use the common Keras substitute
 * UpSampling2D(2) + Conv2D(2x2, padding 'same'): with 'same' the 2x2 kernel reads one row/column of zero
 * padding at the bottom/right of every upsampled map, the contaminated band grows level by level
 * (1, 3, 7, 15 px for depth 4) and survives the valid convs, so a tile's output would depend on where the
 * tile ends and overlap-tile inference could not be seamless. The transposed conv has no border effect:
 * each input pixel writes its own 2x2 output block, sizes double exactly, and the 'valid' network stays
 * exactly translation-equivariant on the 2^depth grid.
 *
 * Weights: Gaussian with std sqrt(2/N), N = incoming nodes of one neuron (section 3 of the paper):
 * N = 9 * Cin for a 3x3 conv, Cin for the stride-2 2x2 up-conv (each output pixel sees one kernel tap
 * per input channel), Cin for the 1x1 head. Seeded per layer from config.seed for reproducibility.
 */

/**
 * Centre crop of the skip features by a fixed number of pixels per side. tfjs's own Cropping2D cannot be
 * used on a model with free spatial dimensions (its computeOutputShape turns `null - k` into a negative
 * size and Concatenate then rejects the shapes), and the model must accept any legal tile size. The crop
 * per level is independent of the input size (6 * 2^(d-k) - 8 px per side for 'valid'), so it is static.
 * Registered for serialisation: import this module before tf.loadLayersModel (io.ts and index.ts do).
 */
export class SkipCrop2D extends tf.layers.Layer {
  static readonly className = 'SkipCrop2D';
  readonly cropping: number;

  constructor(args: LayerArgs & { cropping: number }) {
    super(args);
    if (!Number.isInteger(args.cropping) || args.cropping < 0) {
      throw new RangeError(`SkipCrop2D cropping must be a non-negative integer, got ${args.cropping}`);
    }
    this.cropping = args.cropping;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const shrink = (d: number | null): number | null => (d == null ? null : d - 2 * this.cropping);
    return [shape[0], shrink(shape[1]), shrink(shape[2]), shape[3]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    const c = this.cropping;
    if (c === 0) return x.clone();
    const [, h, w] = x.shape;
    return tf.slice(x, [0, c, c, 0], [-1, h - 2 * c, w - 2 * c, -1]);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), cropping: this.cropping };
  }
}
tf.serialization.registerClass(SkipCrop2D);

/** Filters at level k (0 = full resolution, depth = bottom). */
export function filtersAt(config: UnetConfig, level: number): number {
  return config.baseFilters * 2 ** level;
}

/** Builds the tfjs LayersModel of a U-Net: input [n, h, w, inChannels] -> softmax [n, h', w', classes]. */
export function buildUnetModel(config: UnetConfig): tf.LayersModel {
  assertConfig(config);
  let seedCounter = 0;
  const nextSeed = (): number | undefined => (config.seed === undefined ? undefined : config.seed + seedCounter++);
  const he = (fanIn: number): Initializer =>
    tf.initializers.randomNormal({ mean: 0, stddev: Math.sqrt(2 / fanIn), seed: nextSeed() });
  const pad = config.padding;

  const conv3 = (x: tf.SymbolicTensor, filters: number, name: string): tf.SymbolicTensor => {
    const cin = x.shape[3] as number;
    return tf.layers
      .conv2d({ filters, kernelSize: 3, padding: pad, activation: 'relu', kernelInitializer: he(9 * cin), name })
      .apply(x) as tf.SymbolicTensor;
  };

  // Skip crops are the same for every legal input size (see SkipCrop2D), so read them off any one.
  const crops = traceSizes(config, minInputSize(config))?.skipCrop;
  if (!crops) throw new Error('internal: no legal input size for this config');

  const input = tf.input({ shape: [null, null, config.inChannels], name: 'image' });
  let x: tf.SymbolicTensor = input;
  const skips: tf.SymbolicTensor[] = [];
  for (let k = 0; k < config.depth; k++) {
    x = conv3(x, filtersAt(config, k), `down${k}_conv1`);
    x = conv3(x, filtersAt(config, k), `down${k}_conv2`);
    skips.push(x);
    x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'valid', name: `down${k}_pool` }).apply(x) as tf.SymbolicTensor;
  }
  x = conv3(x, filtersAt(config, config.depth), 'bottom_conv1');
  x = conv3(x, filtersAt(config, config.depth), 'bottom_conv2');
  if (config.dropout > 0) {
    x = tf.layers.dropout({ rate: config.dropout, seed: nextSeed(), name: 'bottom_dropout' }).apply(x) as tf.SymbolicTensor;
  }
  for (let k = config.depth - 1; k >= 0; k--) {
    const filters = filtersAt(config, k);
    const cin = x.shape[3] as number;
    const up = tf.layers
      .conv2dTranspose({ filters, kernelSize: 2, strides: 2, padding: 'valid', kernelInitializer: he(cin), name: `up${k}_upconv` })
      .apply(x) as tf.SymbolicTensor;
    let skip = skips[k];
    if (crops[k] > 0) skip = new SkipCrop2D({ cropping: crops[k], name: `up${k}_crop` }).apply(skip) as tf.SymbolicTensor;
    x = tf.layers.concatenate({ axis: -1, name: `up${k}_concat` }).apply([skip, up]) as tf.SymbolicTensor;
    x = conv3(x, filters, `up${k}_conv1`);
    x = conv3(x, filters, `up${k}_conv2`);
  }
  const logits = tf.layers
    .conv2d({ filters: config.classes, kernelSize: 1, kernelInitializer: he(config.baseFilters), name: 'logits' })
    .apply(x) as tf.SymbolicTensor;
  const probs = tf.layers.softmax({ axis: -1, name: 'softmax' }).apply(logits) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: probs, name: 'unet' });
}

/** Creates a freshly initialised U-Net (He-normal weights, seeded by config.seed when given). */
export function createUnet(config: UnetConfig): Segmenter {
  return segmenterFromModel(buildUnetModel(config), config);
}

/**
 * Wraps a tfjs LayersModel (e.g. from tf.loadLayersModel) as a Segmenter. Checks that the model's input
 * channels and output classes match the config.
 */
export function segmenterFromModel(model: tf.LayersModel, config: UnetConfig): Segmenter {
  assertConfig(config);
  const inShape = model.inputs[0]?.shape;
  const outShape = model.outputs[0]?.shape;
  if (model.inputs.length !== 1 || model.outputs.length !== 1 || inShape?.length !== 4 || outShape?.length !== 4) {
    throw new Error('segmenterFromModel: expected a model with one NHWC input and one NHWC output');
  }
  if (inShape[3] !== config.inChannels) {
    throw new Error(`segmenterFromModel: model takes ${inShape[3]} channels but the config says ${config.inChannels}`);
  }
  if (outShape[3] !== config.classes) {
    throw new Error(`segmenterFromModel: model outputs ${outShape[3]} classes but the config says ${config.classes}`);
  }
  const outputName = model.outputs[0].name;
  // The folded pass (unetForward.ts) is the WASM fast path; other backends concatenate on the device.
  const folded = createFoldedForward(model);
  let disposed = false;
  return {
    config,
    model,
    predictTile(input: tf.Tensor4D): tf.Tensor4D {
      if (disposed) throw new Error('predictTile: this segmenter has been disposed');
      if (input.rank !== 4 || input.shape[3] !== config.inChannels) {
        throw new Error(`predictTile: expected [n, h, w, ${config.inChannels}], got [${input.shape.join(', ')}]`);
      }
      for (const n of [input.shape[1], input.shape[2]]) {
        if (!isLegalInputSize(config, n)) {
          throw new RangeError(
            `predictTile: tile side ${n} is not a legal input size for this U-Net ` +
              `(try ${nearestLegalInputSize(config, n, 'up')})`,
          );
        }
      }
      // execute() rather than predict(): predict copies the input into batch slices and concatenates
      // the outputs, which costs two extra tile-sized tensors; execute() runs the same layers in
      // inference mode (dropout off) and frees each activation after its last consumer.
      if (folded !== null && tf.getBackend() === 'wasm' && wasmFastPathsEnabled()) return tf.tidy(() => folded(input));
      return tf.tidy(() => model.execute(input, outputName) as tf.Tensor4D);
    },
    summary(): string {
      const lines: string[] = [];
      model.summary(120, undefined, (...msg: unknown[]) => lines.push(msg.join(' ')));
      const c = config;
      lines.push(
        `U-Net depth ${c.depth}, base filters ${c.baseFilters}, ${c.inChannels} -> ${c.classes} classes, ` +
          `padding '${c.padding}', dropout ${c.dropout}, ${model.countParams()} parameters`,
      );
      return lines.join('\n');
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      model.dispose();
    },
  };
}
