import type * as tf from '@tensorflow/tfjs';
import type { Segmenter } from '../types';
import { LAYER_TRANSLATIONS, OnnxExportError } from './layersToOnnx';
import type { OnnxModel, OnnxNode, OnnxTensor } from './onnxProto';
import { encodeOnnxModel } from './onnxProto';

/*
 * ONNX export of a U-Net Studio U-Net, written by our own graph writer (layersToOnnx.ts + onnxProto.ts).
 *
 * Interface: NHWC, exactly as the tfjs model — input `image` [batch, height, width, inChannels] (the
 * normalised image), output `probabilities` [batch, out_height, out_width, classes] (softmax). So the
 * same test tensors and the same bioimage.io tensor description serve both weight formats. Inside, the
 * graph is NCHW (what ONNX Conv, MaxPool and ConvTranspose define): one Transpose after the input and
 * one before the output; with one input channel the first is a pure reshape.
 *
 * Spatial sizes are symbolic (dim_param), so one file serves every legal tile: height and width must be
 * legal input sizes of the architecture (validSize.ts), as for the tfjs model; 'valid' U-Nets return the
 * input less twice the context margin, 'same' ones the input size.
 *
 * Opset 13 (IR version 7): the lowest opset in which every op used has its current semantics (Slice
 * with tensor inputs since 10, Softmax along one axis since 13), and one that onnxruntime >= 1.6 and the
 * Java/Python runtimes of deepImageJ and ilastik load.
 */

/** Default ("ai.onnx") operator-set version the export targets. */
export const ONNX_OPSET = 13;
/** ONNX IR version matching opset 13. */
export const ONNX_IR_VERSION = 7;
/** Graph input and output names (the bioimage.io tensor ids). */
export const ONNX_INPUT = 'image';
export const ONNX_OUTPUT = 'probabilities';

/** Options of exportOnnx. */
export interface OnnxExportOptions {
  /** Written as ModelProto.producer_version (e.g. the app's version). */
  readonly producerVersion?: string;
  /** Model documentation (ModelProto.doc_string). */
  readonly docString?: string;
  /** Extra ModelProto.metadata_props (the architecture is always written as `unet_config`). */
  readonly metadata?: Readonly<Record<string, string>>;
}

function singleInput(model: tf.LayersModel): tf.layers.Layer {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new OnnxExportError(`the model has ${model.inputs.length} inputs and ${model.outputs.length} outputs; one of each is exported`);
  }
  const layer = model.inputs[0].sourceLayer;
  if (layer.getClassName() !== 'InputLayer') throw new OnnxExportError(`the model's input comes from a ${layer.getClassName()}`);
  return layer;
}

/** Names of the layers feeding `layer` (first inbound node: every U-Net layer is applied once). */
function inboundNames(layer: tf.layers.Layer): string[] {
  if (layer.inboundNodes.length !== 1) {
    throw new OnnxExportError(`layer ${layer.name} is applied ${layer.inboundNodes.length} times; shared layers are not exported`);
  }
  const node = layer.inboundNodes[0];
  node.tensorIndices.forEach((t) => {
    if (t !== 0) throw new OnnxExportError(`layer ${layer.name} reads output ${t} of a multi-output layer`);
  });
  return node.inboundLayers.map((l) => l.name);
}

/**
 * The ONNX model (as data) of a tfjs LayersModel built from our layers: InputLayer, Conv2D ('valid' or
 * 'same', linear or ReLU), MaxPooling2D, Dropout, Conv2DTranspose (kernel = stride), SkipCrop2D,
 * Concatenate and Softmax on the channel axis. Throws OnnxExportError naming any other layer or setting.
 */
export function layersModelToOnnx(model: tf.LayersModel, options: OnnxExportOptions & { readonly outputHeight?: string; readonly outputWidth?: string } = {}): OnnxModel {
  const inputLayer = singleInput(model);
  const inShape = model.inputs[0].shape;
  const outShape = model.outputs[0].shape;
  const inChannels = inShape[3];
  const classes = outShape[3];
  if (inShape.length !== 4 || outShape.length !== 4 || typeof inChannels !== 'number' || typeof classes !== 'number') {
    throw new OnnxExportError(`expected NHWC input and output with known channels, got [${inShape.join(', ')}] -> [${outShape.join(', ')}]`);
  }
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  // ONNX value of each layer's output (a layer that is the identity maps to its input's value).
  const valueOf = new Map<string, string>();
  const nchwInput = `${ONNX_INPUT}/nchw`;
  nodes.push({ opType: 'Transpose', name: 'input_to_nchw', inputs: [ONNX_INPUT], outputs: [nchwInput], attributes: [{ name: 'perm', type: 'ints', value: [0, 3, 1, 2] }] });
  valueOf.set(inputLayer.name, nchwInput);

  // model.layers is in topological order for functional models built with tf.model.
  for (const layer of model.layers) {
    if (layer === inputLayer) continue;
    const type = layer.getClassName();
    const translate = LAYER_TRANSLATIONS[type];
    if (!translate) throw new OnnxExportError(`layer ${layer.name} is a ${type}, which the ONNX export does not know`);
    const inputs = inboundNames(layer).map((name) => {
      const v = valueOf.get(name);
      if (v === undefined) throw new OnnxExportError(`layer ${layer.name} reads ${name}, which is not computed before it`);
      return v;
    });
    const result = translate({ layer, inputs, output: layer.name });
    nodes.push(...result.nodes);
    initializers.push(...result.initializers);
    valueOf.set(layer.name, result.alias ?? layer.name);
  }
  const last = valueOf.get(model.outputs[0].sourceLayer.name);
  if (last === undefined) throw new OnnxExportError('the model output is not computed by its layers');
  nodes.push({ opType: 'Transpose', name: 'output_to_nhwc', inputs: [last], outputs: [ONNX_OUTPUT], attributes: [{ name: 'perm', type: 'ints', value: [0, 2, 3, 1] }] });

  return {
    irVersion: ONNX_IR_VERSION,
    opsetVersion: ONNX_OPSET,
    producerName: 'U-Net Studio',
    producerVersion: options.producerVersion ?? '0.1.0',
    docString: options.docString,
    metadata: { layout: 'NHWC', ...options.metadata },
    graph: {
      name: model.name,
      nodes,
      initializers,
      inputs: [{ name: ONNX_INPUT, shape: ['batch', 'height', 'width', inChannels], docString: 'normalised image, NHWC; height and width legal input sizes' }],
      outputs: [
        {
          name: ONNX_OUTPUT,
          shape: ['batch', options.outputHeight ?? 'out_height', options.outputWidth ?? 'out_width', classes],
          docString: 'per-class softmax probabilities, NHWC',
        },
      ],
    },
  };
}

/** The ONNX file (protobuf bytes) of a segmenter's U-Net; see the header comment for its interface. */
export function exportOnnx(segmenter: Segmenter, options: OnnxExportOptions = {}): Uint8Array {
  const same = segmenter.config.padding === 'same';
  const model = layersModelToOnnx(segmenter.model, {
    ...options,
    metadata: { unet_config: JSON.stringify(segmenter.config), ...options.metadata },
    // A 'same' U-Net keeps the size: say so with the input's own symbols.
    outputHeight: same ? 'height' : 'out_height',
    outputWidth: same ? 'width' : 'out_width',
  });
  return encodeOnnxModel(model);
}
