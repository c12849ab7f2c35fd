import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from './nodeBackend.node';
import { createUnet } from './unet';
import { randomArray } from './fixtures/backendCompare';

/** Runs `f` on a backend and returns its result as a plain array, leaving no tensors behind. */
async function onBackend(name: 'cpu' | 'wasm', f: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(name);
  const before = tf.memory().numTensors;
  const t = f();
  const data = (await t.data()) as Float32Array;
  t.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return data;
}

function expectClose(a: Float32Array, b: Float32Array, tol = 1e-4): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  expect(worst).toBeLessThan(tol);
}

type Pad = 'valid' | 'same';
const cases: { x: [number, number, number, number]; f: [number, number, number, number]; s: number; pad: Pad }[] = [
  { x: [2, 9, 11, 3], f: [3, 3, 3, 4], s: 1, pad: 'valid' },
  { x: [1, 10, 7, 2], f: [3, 3, 2, 5], s: 1, pad: 'same' },
  { x: [1, 8, 8, 3], f: [2, 2, 3, 4], s: 2, pad: 'valid' },
  { x: [2, 9, 7, 2], f: [3, 3, 2, 3], s: 2, pad: 'same' },
  { x: [1, 6, 6, 4], f: [1, 1, 4, 2], s: 1, pad: 'valid' },
];

describe('wasm gradient kernels', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each(cases)('Conv2DBackpropFilter matches cpu for x=$x f=$f stride $s $pad', async ({ x, f, s, pad }) => {
    const outShape = tf.backend_util.computeConv2DInfo(x, f, s, 1, pad).outShape;
    const xs = randomArray(x.reduce((a, b) => a * b), 1);
    const dys = randomArray(outShape.reduce((a, b) => a * b), 2);
    const run = (): tf.Tensor =>
      tf.engine().runKernel(
        tf.Conv2DBackpropFilter,
        { x: tf.tensor(xs, x), dy: tf.tensor(dys, outShape) },
        { strides: [s, s], pad, dataFormat: 'NHWC', filterShape: f },
      ) as tf.Tensor;
    expectClose(await onBackend('wasm', () => tf.tidy(run)), await onBackend('cpu', () => tf.tidy(run)));
  });

  it.each(cases)('Conv2DBackpropInput matches cpu for x=$x f=$f stride $s $pad', async ({ x, f, s, pad }) => {
    const outShape = tf.backend_util.computeConv2DInfo(x, f, s, 1, pad).outShape;
    const ws = randomArray(f.reduce((a, b) => a * b), 3);
    const dys = randomArray(outShape.reduce((a, b) => a * b), 4);
    const run = (): tf.Tensor =>
      tf.engine().runKernel(
        tf.Conv2DBackpropInput,
        { dy: tf.tensor(dys, outShape), filter: tf.tensor(ws, f) },
        { strides: [s, s], pad, dataFormat: 'NHWC', inputShape: x },
      ) as tf.Tensor;
    expectClose(await onBackend('wasm', () => tf.tidy(run)), await onBackend('cpu', () => tf.tidy(run)));
  });

  it('a full U-Net gradient on wasm matches cpu', async () => {
    const config = { depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 3 } as const;
    const size = 44;
    const xs = randomArray(size * size, 5);
    const gradsOn = async (name: 'cpu' | 'wasm'): Promise<Float32Array> => {
      await tf.setBackend(name);
      const net = createUnet(config);
      const data = await onBackend(name, () =>
        tf.tidy(() => {
          const input = tf.tensor4d(xs, [1, size, size, 1]);
          const { grads } = tf.variableGrads(() =>
            tf.tidy(() => {
              const p = net.model.apply(input, { training: true }) as tf.Tensor;
              // A loss that weights every output pixel differently exercises every backward path.
              return tf.sum(tf.mul(tf.log(p), tf.linspace(0.1, 1, p.size).reshape(p.shape))) as tf.Scalar;
            }),
          );
          const names = Object.keys(grads).sort();
          return tf.concat(names.map((n) => grads[n].flatten()));
        }),
      );
      net.dispose();
      return data;
    };
    expectClose(await gradsOn('wasm'), await gradsOn('cpu'));
  });
});
