/**
 * The two engines behind `--engine` give the same probability map: the shipped models through tfjs
 * (WASM, as the CLIs run it) and through their ONNX export in onnxruntime-node, on one image tiled into
 * several tiles, with and without TTA; and onnxruntime with 1 and 2 threads gives the same map.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FloatPlane } from '../src/image/types';
import { exportOnnx } from '../src/model/onnx/exportOnnx';
import { minTileOutput } from '../src/model/tiling';
import { initNodeBackend } from './backend';
import { createEngine, createOnnxEngine, createTfjsEngine } from './engine';
import type { Engine } from './engine';
import { loadModelDir } from './modelFiles';

const models = path.resolve(__dirname, '../public/models');

/** Bright blobs on a dim, textured background: something for the nuclei model to find. */
function blobs(width: number, height: number): FloatPlane {
  const data = new Float32Array(width * height);
  const centres = [[20, 30], [60, 25], [45, 70], [90, 80], [15, 95]];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = 0.05 * Math.sin(x * 0.7) * Math.cos(y * 0.5);
      for (const [cx, cy] of centres) v += Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 60);
      data[y * width + x] = v;
    }
  }
  return { width, height, data };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

let tfjsEngine: Engine;
let onnxEngine: Engine;

beforeAll(async () => {
  await initNodeBackend('wasm');
  const { segmenter, card } = await loadModelDir(path.join(models, 'nuclei'));
  onnxEngine = await createOnnxEngine(exportOnnx(segmenter), card, { threads: 1 });
  tfjsEngine = createTfjsEngine(segmenter, card);
});

afterAll(async () => {
  await tfjsEngine.dispose();
  await onnxEngine.dispose();
});

describe('engines', () => {
  const image = blobs(110, 100);

  it('nuclei: onnx equals tfjs within 1e-4 over several tiles', async () => {
    const tileOutput = minTileOutput(tfjsEngine.config) + 16;
    const before = tf.memory().numTensors;
    const a = await tfjsEngine.segment(image, { tileOutput, foregroundClass: 1 });
    const b = await onnxEngine.segment(image, { tileOutput, foregroundClass: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect([b.width, b.height]).toEqual([110, 100]);
    const fg = a.probabilities.filter((p) => p > 0.5).length;
    // The blobs are found and the background is not: the map is not trivially flat.
    expect(fg).toBeGreaterThan(0.05 * a.probabilities.length);
    expect(fg).toBeLessThan(0.6 * a.probabilities.length);
    expect(maxAbsDiff(a.probabilities, b.probabilities)).toBeLessThanOrEqual(1e-4);
  });

  it('nuclei: the same with TTA and the budget-chosen tile', async () => {
    const small = blobs(60, 50);
    const a = await tfjsEngine.segment(small, { tta: true });
    const b = await onnxEngine.segment(small, { tta: true });
    expect(maxAbsDiff(a.probabilities, b.probabilities)).toBeLessThanOrEqual(1e-4);
  });

  it('onnx: 1 and 2 threads give the same map', async () => {
    const two = await createEngine('onnx', path.join(models, 'nuclei'), { threads: 2 });
    try {
      expect(two.description).toMatch(/onnxruntime-node .*, 2 threads/);
      const a = await onnxEngine.segment(image);
      const b = await two.segment(image);
      // Identical, not merely close: MLAS splits a convolution's outputs among threads, never a sum.
      expect(b.probabilities).toEqual(a.probabilities);
    } finally {
      await two.dispose();
    }
  });

  it('em-membranes: onnx equals tfjs within 1e-4', async () => {
    const before = tf.memory().numTensors;
    const tfjsEm = await createEngine('tfjs', path.join(models, 'em-membranes'));
    const onnxEm = await createEngine('onnx', path.join(models, 'em-membranes'), { threads: 2 });
    try {
      const em = blobs(64, 48);
      const a = await tfjsEm.segment(em, { foregroundClass: tfjsEm.card.foregroundClass });
      const b = await onnxEm.segment(em, { foregroundClass: onnxEm.card.foregroundClass });
      expect(maxAbsDiff(a.probabilities, b.probabilities)).toBeLessThanOrEqual(1e-4);
    } finally {
      await tfjsEm.dispose();
      await onnxEm.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a bad thread count', async () => {
    const { segmenter, card } = await loadModelDir(path.join(models, 'nuclei'));
    const bytes = exportOnnx(segmenter);
    segmenter.dispose();
    await expect(createOnnxEngine(bytes, card, { threads: 0 })).rejects.toThrow(/threads must be a positive integer/);
  });
});
