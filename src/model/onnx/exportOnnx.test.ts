import * as tf from '@tensorflow/tfjs';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segmenterFromArtifacts } from '../io';
import { importModelFiles } from '../modelImport';
import type { Segmenter, UnetConfig } from '../types';
import { SkipCrop2D, createUnet } from '../unet';
import { minTileInputSize, outputSize, sizeStep } from '../validSize';
import { ONNX_INPUT, ONNX_OPSET, ONNX_OUTPUT, exportOnnx, layersModelToOnnx } from './exportOnnx';
import { OnnxExportError } from './layersToOnnx';
import { encodeOnnxModel } from './onnxProto';

/*
 * The ONNX export against tfjs: the exported bytes run in onnxruntime-node (CPU), tfjs runs on its CPU
 * backend, both on the same random input; softmax outputs must agree within 1e-4.
 */

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform in [-0.5, 1.5]: the range normalised images are clamped to. */
function randomInput(dims: readonly number[], seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => r() * 2 - 0.5);
}

async function runOnnx(bytes: Uint8Array, data: Float32Array, dims: readonly number[], output = ONNX_OUTPUT): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    return (await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', data, [...dims]) }))[output];
  } finally {
    await session.release();
  }
}

function runTfjs(model: tf.LayersModel, data: Float32Array, dims: readonly number[]): { values: Float32Array; shape: number[] } {
  return tf.tidy(() => {
    const y = model.predict(tf.tensor(data, [...dims])) as tf.Tensor;
    return { values: y.dataSync() as Float32Array, shape: y.shape };
  });
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

function spread(a: ArrayLike<number>): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < a.length; i++) {
    lo = Math.min(lo, a[i]);
    hi = Math.max(hi, a[i]);
  }
  return hi - lo;
}

/** Exports, then checks ONNX vs tfjs at each [batch, height, width] with one file (symbolic sizes). */
async function expectSameAsTfjs(segmenter: Segmenter, shapes: readonly (readonly [number, number, number])[], seed: number): Promise<void> {
  const before = tf.memory().numTensors;
  const bytes = exportOnnx(segmenter);
  expect(tf.memory().numTensors).toBe(before);
  const c = segmenter.config;
  for (const [n, h, w] of shapes) {
    const dims = [n, h, w, c.inChannels];
    const input = randomInput(dims, seed + h * 1000 + w);
    const onnx = await runOnnx(bytes, input, dims);
    const ref = tf.tidy(() => {
      const y = segmenter.predictTile(tf.tensor4d(input, [n, h, w, c.inChannels]));
      return { values: y.dataSync() as Float32Array, shape: y.shape };
    });
    expect(onnx.dims).toEqual([n, outputSize(c, h), outputSize(c, w), c.classes]);
    expect(onnx.dims).toEqual(ref.shape);
    // A network whose output hardly varies would pass any comparison: make sure this one does vary.
    expect(spread(ref.values)).toBeGreaterThan(0.05);
    expect(maxAbsDiff(onnx.data as Float32Array, ref.values)).toBeLessThanOrEqual(1e-4);
  }
  expect(tf.memory().numTensors).toBe(before);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('exportOnnx: random U-Nets vs tfjs', () => {
  const base = { inChannels: 1 as const, classes: 2, dropout: 0.1 };
  const cases: [string, UnetConfig][] = [
    ['depth 2, valid', { ...base, depth: 2, baseFilters: 4, padding: 'valid', seed: 1 }],
    ['depth 3, valid', { ...base, depth: 3, baseFilters: 4, padding: 'valid', seed: 2 }],
    ['depth 2, same', { ...base, depth: 2, baseFilters: 4, padding: 'same', seed: 3 }],
    ['depth 3, same', { ...base, depth: 3, baseFilters: 4, padding: 'same', seed: 4 }],
    ['depth 2, valid, 3 channels, 3 classes, no dropout', { depth: 2, baseFilters: 3, inChannels: 3, classes: 3, dropout: 0, padding: 'valid', seed: 5 }],
  ];
  const segmenters: Segmenter[] = [];
  afterAll(() => segmenters.forEach((s) => s.dispose()));

  it.each(cases)('%s: one file serves several tile sizes and batches within 1e-4', async (_, config) => {
    const s = createUnet(config);
    segmenters.push(s);
    const min = minTileInputSize(config);
    const step = sizeStep(config);
    // Square, non-square (catches a height/width swap) and a batch of two.
    await expectSameAsTfjs(s, [[1, min, min], [1, min + step, min + 3 * step], [2, min + 2 * step, min]], config.seed ?? 0);
  });

  it('declares NHWC input and output with symbolic spatial sizes, opset 13', async () => {
    const config: UnetConfig = { ...base, depth: 2, baseFilters: 2, padding: 'valid', seed: 6 };
    const s = createUnet(config);
    segmenters.push(s);
    const session = await ort.InferenceSession.create(exportOnnx(s));
    try {
      expect(session.inputNames).toEqual([ONNX_INPUT]);
      expect(session.outputNames).toEqual([ONNX_OUTPUT]);
      const [input] = session.inputMetadata;
      const [output] = session.outputMetadata;
      expect(input.isTensor && input.shape).toEqual(['batch', 'height', 'width', 1]);
      expect(output.isTensor && output.shape).toEqual(['batch', 'out_height', 'out_width', 2]);
    } finally {
      await session.release();
    }
    const model = layersModelToOnnx(s.model);
    expect(model.opsetVersion).toBe(ONNX_OPSET);
    // Dropout is the identity at inference: no node for it.
    expect(model.graph.nodes.map((n) => n.opType)).not.toContain('Dropout');
    expect(model.graph.nodes.filter((n) => n.opType === 'ConvTranspose')).toHaveLength(2);
  });
});

describe('exportOnnx: single layers vs tfjs', () => {
  // Each layer alone, on a non-square input, with asymmetric random weights: a kernel stored in the
  // wrong axis order, flipped, or a crop on the wrong side shows up here before it hides in a U-Net.
  const dims = [2, 10, 14, 3] as const;
  const layerCases: [string, (x: tf.SymbolicTensor) => tf.SymbolicTensor][] = [
    ['Conv2D 3x3 valid + ReLU', (x) => tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', biasInitializer: 'randomNormal' }).apply(x) as tf.SymbolicTensor],
    ['Conv2D 3x3 same, linear', (x) => tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', biasInitializer: 'randomNormal' }).apply(x) as tf.SymbolicTensor],
    ['Conv2D 1x1', (x) => tf.layers.conv2d({ filters: 2, kernelSize: 1, biasInitializer: 'randomNormal' }).apply(x) as tf.SymbolicTensor],
    ['Conv2DTranspose 2x2 stride 2', (x) => tf.layers.conv2dTranspose({ filters: 5, kernelSize: 2, strides: 2, biasInitializer: 'randomNormal' }).apply(x) as tf.SymbolicTensor],
    ['MaxPooling2D 2x2', (x) => tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }).apply(x) as tf.SymbolicTensor],
    ['SkipCrop2D 2 + Concatenate', (x) => {
      const cropped = new SkipCrop2D({ cropping: 2 }).apply(x) as tf.SymbolicTensor;
      const conv = tf.layers.conv2d({ filters: 2, kernelSize: 5 }).apply(x) as tf.SymbolicTensor;
      return tf.layers.concatenate({ axis: -1 }).apply([cropped, conv]) as tf.SymbolicTensor;
    }],
    ['Softmax over channels', (x) => tf.layers.softmax({ axis: -1 }).apply(x) as tf.SymbolicTensor],
  ];

  it.each(layerCases)('%s', async (_, build) => {
    const before = tf.memory().numTensors;
    const x = tf.input({ shape: [null, null, dims[3]] });
    const model = tf.model({ inputs: x, outputs: build(x) });
    const input = randomInput(dims, 7);
    const ref = runTfjs(model, input, dims);
    const onnx = await runOnnx(encodeOnnxModel(layersModelToOnnx(model)), input, dims);
    expect(onnx.dims).toEqual(ref.shape);
    expect(spread(ref.values)).toBeGreaterThan(0.05);
    expect(maxAbsDiff(onnx.data as Float32Array, ref.values)).toBeLessThanOrEqual(1e-5);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses layers and settings it cannot translate, naming the layer', () => {
    const x = tf.input({ shape: [null, null, 1] });
    const strided = tf.model({ inputs: x, outputs: tf.layers.conv2d({ filters: 1, kernelSize: 3, strides: 2, name: 'strided' }).apply(x) as tf.SymbolicTensor });
    expect(() => layersModelToOnnx(strided)).toThrow(OnnxExportError);
    expect(() => layersModelToOnnx(strided)).toThrow(/layer strided \(Conv2D\): a stride other than 1/);
    const norm = tf.model({ inputs: x, outputs: tf.layers.batchNormalization({ name: 'bn' }).apply(x) as tf.SymbolicTensor });
    expect(() => layersModelToOnnx(norm)).toThrow(/layer bn is a BatchNormalization/);
    const sigmoid = tf.model({ inputs: x, outputs: tf.layers.conv2d({ filters: 1, kernelSize: 1, activation: 'sigmoid', name: 'sig' }).apply(x) as tf.SymbolicTensor });
    expect(() => layersModelToOnnx(sigmoid)).toThrow(/activation 'sigmoid'/);
    [strided, norm, sigmoid].forEach((m) => m.dispose());
  });
});

describe('exportOnnx: shipped model', () => {
  const root = fileURLToPath(new URL('../../../public/models/', import.meta.url));
  const read = (dir: string) => readdirSync(root + dir).map((name) => ({ name, bytes: new Uint8Array(readFileSync(`${root}${dir}/${name}`)) }));

  it('public/models/nuclei: the ONNX file reproduces tfjs within 1e-4', async () => {
    const imported = importModelFiles(read('nuclei'));
    const before = tf.memory().numTensors;
    const s = await segmenterFromArtifacts(imported.artifacts, imported.card);
    try {
      const min = minTileInputSize(s.config);
      await expectSameAsTfjs(s, [[1, min + 4 * sizeStep(s.config), min + 2 * sizeStep(s.config)]], 11);
    } finally {
      s.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
