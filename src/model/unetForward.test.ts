import * as tf from '@tensorflow/tfjs';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segmenterFromArtifacts } from './io';
import { importModelFiles } from './modelImport';
import { initNodeBackend } from './nodeBackend.node';
import type { Segmenter, UnetConfig } from './types';
import { createUnet } from './unet';
import { createFoldedForward } from './unetForward';
import { minTileInputSize, sizeStep } from './validSize';
import { setWasmFastPaths } from './wasmFastPaths';

function randomArray(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32;
  }
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** The stock layers execution (the reference: tfjs's own Concatenate, Cropping, Conv2DTranspose). */
async function stock(s: Segmenter, x: tf.Tensor4D): Promise<Float32Array> {
  const y = tf.tidy(() => s.model.execute(x, s.model.outputs[0].name) as tf.Tensor);
  const data = Float32Array.from(await y.data());
  y.dispose();
  return data;
}

async function folded(s: Segmenter, x: tf.Tensor4D): Promise<Float32Array> {
  const forward = createFoldedForward(s.model);
  if (forward === null) throw new Error('expected a foldable U-Net');
  const y = tf.tidy(() => forward(x));
  const data = Float32Array.from(await y.data());
  y.dispose();
  return data;
}

const configs: UnetConfig[] = [
  { depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0.2, padding: 'valid', seed: 1 },
  { depth: 3, baseFilters: 3, inChannels: 3, classes: 3, dropout: 0, padding: 'valid', seed: 2 },
  { depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0, padding: 'same', seed: 3 },
];

describe('createFoldedForward (skip concatenation folded into the next convolution)', () => {
  afterAll(async () => {
    setWasmFastPaths(true);
    await tf.setBackend('cpu');
  });

  it.each(configs)('equals the layers model on the cpu backend: depth $depth, $padding, $inChannels -> $classes', async (config) => {
    await tf.setBackend('cpu');
    const s = createUnet(config);
    const side = minTileInputSize(config) + 2 * sizeStep(config);
    const x = tf.tensor4d(randomArray(2 * side * (side + sizeStep(config)) * config.inChannels, 7), [2, side, side + sizeStep(config), config.inChannels]);
    const before = tf.memory().numTensors;
    expect(maxAbsDiff(await folded(s, x), await stock(s, x))).toBeLessThanOrEqual(1e-5);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    s.dispose();
  });

  it('returns null for a model that is not our U-Net, and for one whose wiring differs', () => {
    const input = tf.input({ shape: [null, null, 1] });
    const plain = tf.model({ inputs: input, outputs: tf.layers.conv2d({ filters: 2, kernelSize: 3, name: 'down0_conv1' }).apply(input) as tf.SymbolicTensor });
    expect(createFoldedForward(plain)).toBeNull();
    plain.dispose();
    const s = createUnet(configs[0]);
    expect(createFoldedForward(s.model)).not.toBeNull();
    // An activation other than ReLU after the concatenation cannot be folded as written.
    const linear = (tf.layers.conv2d({ filters: 1, kernelSize: 1 }) as unknown as { activation: unknown }).activation;
    (s.model.getLayer('up0_conv1') as unknown as { activation: unknown }).activation = linear;
    expect(createFoldedForward(s.model)).toBeNull();
    s.dispose();
  });
});

describe('shipped models: predictTile on wasm (fast paths) equals the cpu backend', () => {
  const root = fileURLToPath(new URL('../../public/models/', import.meta.url));
  const read = (dir: string) => readdirSync(root + dir).map((name) => ({ name, bytes: new Uint8Array(readFileSync(`${root}${dir}/${name}`)) }));

  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  it.each(['nuclei', 'nuclei-boundary', 'em-membranes'])('public/models/%s within 1e-4, no tensors left', async (dir) => {
    const imported = importModelFiles(read(dir));
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const s = await segmenterFromArtifacts(imported.artifacts, imported.card);
    const side = minTileInputSize(s.config) + sizeStep(s.config);
    const xs = randomArray(side * (side + sizeStep(s.config)), 11);
    const shape: [number, number, number, number] = [1, side, side + sizeStep(s.config), 1];
    const run = async (): Promise<Float32Array> => {
      const x = tf.tensor4d(xs, shape);
      const y = s.predictTile(x);
      const data = Float32Array.from(await y.data());
      tf.dispose([x, y]);
      return data;
    };
    try {
      const reference = await run();
      await tf.setBackend('wasm');
      setWasmFastPaths(true);
      let fast: Float32Array = new Float32Array(0);
      const profile = await tf.profile(async () => {
        fast = await run();
      });
      // The folded pass really ran: no concatenation, and the crop is the only Slice of a feature map.
      expect(profile.kernels.map((k) => k.name)).not.toContain('Concat');
      setWasmFastPaths(false);
      const slow = await run();
      expect(maxAbsDiff(fast, reference)).toBeLessThanOrEqual(1e-4);
      expect(maxAbsDiff(slow, reference)).toBeLessThanOrEqual(1e-4);
    } finally {
      setWasmFastPaths(true);
      s.dispose();
      await tf.setBackend('cpu');
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
