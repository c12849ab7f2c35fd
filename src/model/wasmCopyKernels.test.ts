import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from './nodeBackend.node';
import { setWasmFastPaths } from './wasmFastPaths';
import { randomArray, size, onBackend } from './fixtures/backendCompare';

function expectClose(a: Float32Array[], b: Float32Array[], tol = 1e-4): void {
  expect(a.length).toBe(b.length);
  a.forEach((x, k) => {
    expect(x.length).toBe(b[k].length);
    let worst = 0;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - b[k][i]));
    expect(worst).toBeLessThanOrEqual(tol);
  });
}

/** Forward value and the gradient of a weighted sum (distinct weight per output element) wrt every input. */
function valueAndGrads(inputs: tf.Tensor[], f: (...xs: tf.Tensor[]) => tf.Tensor): tf.Tensor[] {
  const y = f(...inputs);
  const weights = tf.tensor(randomArray(y.size, 99), y.shape);
  const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), weights)))(inputs);
  return [y, ...grads];
}

const sliceCases: { shape: number[]; begin: number[]; size: number[]; what: string }[] = [
  { shape: [1, 12, 10, 5], begin: [0, 3, 3, 0], size: [1, 6, 4, 5], what: 'skip crop (spatial, all channels)' },
  { shape: [2, 7, 9, 6], begin: [0, 0, 0, 2], size: [2, 7, 9, 3], what: 'channel block (concat gradient)' },
  { shape: [2, 7, 9, 6], begin: [1, 2, 0, 0], size: [1, 3, 9, 6], what: 'whole rows of one batch item' },
  { shape: [3, 5, 4, 2, 3], begin: [1, 1, 2, 0, 1], size: [2, 3, 2, 2, 1], what: 'rank 5' },
  { shape: [9, 70], begin: [2, 5], size: [4, 60], what: 'rank 2, runs longer than the loop threshold' },
  { shape: [11], begin: [3], size: [5], what: 'rank 1' },
];

const concatCases: { shapes: number[][]; axis: number; what: string }[] = [
  { shapes: [[1, 6, 5, 4], [1, 6, 5, 3]], axis: 3, what: 'skip and up-convolution along channels' },
  { shapes: [[2, 3, 4, 64], [2, 3, 4, 64]], axis: -1, what: 'long channel runs' },
  { shapes: [[2, 3, 4, 2], [2, 1, 4, 2], [2, 2, 4, 2]], axis: 1, what: 'three inputs along rows' },
  { shapes: [[1, 3, 2], [2, 3, 2]], axis: 0, what: 'along the batch' },
  { shapes: [[2, 0, 3], [2, 2, 3]], axis: 1, what: 'with an empty input' },
];

describe('wasm Slice and Concat (copy kernels)', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });
  afterAll(async () => {
    setWasmFastPaths(true);
    await tf.setBackend('cpu');
  });

  it.each(sliceCases)('Slice matches cpu, forward and gradient: $what', async ({ shape, begin, size: sz }) => {
    const xs = randomArray(size(shape), 1);
    const run = (): tf.Tensor[] => valueAndGrads([tf.tensor(xs, shape)], (x) => tf.slice(x, begin, sz));
    expectClose(await onBackend('wasm', run), await onBackend('cpu', run), 0);
  });

  it.each(concatCases)('Concat matches cpu, forward and gradient: $what', async ({ shapes, axis }) => {
    const data = shapes.map((s, k) => randomArray(size(s), 10 + k));
    const run = (): tf.Tensor[] => valueAndGrads(data.map((d, k) => tf.tensor(d, shapes[k])), (...xs) => tf.concat(xs, axis));
    expectClose(await onBackend('wasm', run), await onBackend('cpu', run), 0);
  });

  it('int32 tensors are sliced and concatenated exactly', async () => {
    const run = (): tf.Tensor[] => {
      const a = tf.range(0, 60, 1, 'int32').reshape([3, 4, 5]);
      return [tf.slice(a, [1, 1, 2], [2, 2, 3]), tf.concat([a, tf.mul(a, 2)], 2)].map((t) => t.toFloat());
    };
    expectClose(await onBackend('wasm', run), await onBackend('cpu', run), 0);
  });

  it('the fast paths can be switched off and give the same result', async () => {
    const x = randomArray(2 * 8 * 8 * 4, 5);
    const run = (): tf.Tensor[] => {
      const t = tf.tensor(x, [2, 8, 8, 4]);
      return [tf.concat([tf.slice(t, [0, 2, 2, 0], [2, 4, 4, 4]), tf.slice(t, [0, 1, 1, 0], [2, 4, 4, 4])], 3)];
    };
    setWasmFastPaths(false);
    const stock = await onBackend('wasm', run);
    setWasmFastPaths(true);
    expectClose(await onBackend('wasm', run), stock, 0);
  });
});

/** The up-convolution (Conv2DTranspose, kernel 2 stride 2) through the matmul-and-row-copy path. */
const upCases: { x: [number, number, number, number]; ci: number }[] = [
  { x: [1, 5, 7, 6], ci: 3 },
  { x: [2, 4, 3, 8], ci: 4 },
  { x: [1, 9, 9, 32], ci: 16 },
];

describe('wasm up-convolution', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each(upCases)('conv2dTranspose 2x2 stride 2 matches cpu, forward and gradients: x=$x ci=$ci', async ({ x, ci }) => {
    const [n, h, w, co] = x;
    const xs = randomArray(size(x), 3);
    const ws = randomArray(4 * ci * co, 4);
    const run = (): tf.Tensor[] =>
      valueAndGrads([tf.tensor(xs, x), tf.tensor(ws, [2, 2, ci, co])], (input, filter) =>
        tf.conv2dTranspose(input as tf.Tensor4D, filter as tf.Tensor4D, [n, 2 * h, 2 * w, ci], 2, 'valid'),
      );
    expectClose(await onBackend('wasm', run), await onBackend('cpu', run));
  });
});
