import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from './nodeBackend.node';
import { createUnet } from './unet';
import { setWasmTrainingFastPaths } from './wasmFastPaths';
import { matmulFilterGradient, stridedColumns, tileColumns } from './wasmFilterGradient';
import { randomArray, size, onBackend } from './fixtures/backendCompare';

/** Largest absolute difference, relative to magnitude above 1 (gradients sum thousands of products). */
function expectClose(a: Float32Array[], b: Float32Array[], tol = 1e-4): void {
  expect(a.length).toBe(b.length);
  a.forEach((x, k) => {
    expect(x.length).toBe(b[k].length);
    let worst = 0;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - b[k][i]) / Math.max(1, Math.abs(b[k][i])));
    expect(worst).toBeLessThanOrEqual(tol);
  });
}

type Shape4 = [number, number, number, number];
interface FilterCase {
  readonly x: Shape4;
  readonly f: Shape4;
  readonly s: number;
  readonly pad: 'valid' | 'same';
}

/** The shapes a U-Net's backward pass has (3x3 stride 1, valid and same; the 2x2 up-convolution), batch 2, non-square. */
const matmulCases: FilterCase[] = [
  { x: [2, 9, 11, 3], f: [3, 3, 3, 4], s: 1, pad: 'valid' },
  { x: [2, 10, 7, 2], f: [3, 3, 2, 5], s: 1, pad: 'same' },
  { x: [1, 6, 5, 4], f: [1, 1, 4, 2], s: 1, pad: 'valid' },
  { x: [2, 8, 12, 3], f: [2, 2, 3, 5], s: 2, pad: 'valid' },
  // 9 * 64 rows: the columns of 2 x 50 x 46 positions come in two chunks of at most 2^21 floats.
  { x: [2, 50, 46, 64], f: [3, 3, 64, 3], s: 1, pad: 'same' },
];

function filterGradient({ x, f, s, pad }: FilterCase): () => tf.Tensor[] {
  const outShape = tf.backend_util.computeConv2DInfo(x, f, s, 1, pad).outShape;
  const xs = randomArray(size(x), 11);
  const dys = randomArray(size(outShape), 12);
  return () => [
    tf.engine().runKernel(
      tf.Conv2DBackpropFilter,
      { x: tf.tensor(xs, x), dy: tf.tensor(dys, outShape) },
      { strides: [s, s], pad, dataFormat: 'NHWC', filterShape: f },
    ) as tf.Tensor,
  ];
}

/** Calls a kernel of the wasm backend directly, as wasmKernels.ts does. */
function callWasm(name: string, backend: object, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`no wasm kernel ${name}`);
  return kernel.kernelFunc({ inputs, attrs, backend }) as TensorInfo;
}

describe('wasm training kernels', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });
  afterEach(() => setWasmTrainingFastPaths(true));
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each(matmulCases)('the matmul filter gradient matches cpu for x=$x f=$f stride $s $pad', async (c) => {
    expectClose(await onBackend('wasm', filterGradient(c)), await onBackend('cpu', filterGradient(c)));
  });

  it.each(matmulCases)('takes the matmul path (not the fallback) for x=$x f=$f stride $s $pad', async ({ x, f, s, pad }) => {
    await tf.setBackend('wasm');
    const info = tf.backend_util.computeConv2DInfo(x, f, s, 1, pad);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const xt = tf.tensor(randomArray(size(x), 1), x);
      const dy = tf.tensor(randomArray(size(info.outShape), 2), info.outShape);
      const out = matmulFilterGradient(callWasm, tf.backend(), xt, dy, f, info);
      expect(out).not.toBeNull();
      if (out !== null) tf.engine().makeTensorFromTensorInfo(out).dispose();
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('leaves strides with overlapping taps to the previous formulation, which still matches cpu', async () => {
    const c: FilterCase = { x: [2, 9, 7, 2], f: [3, 3, 2, 3], s: 2, pad: 'same' };
    await tf.setBackend('wasm');
    const info = tf.backend_util.computeConv2DInfo(c.x, c.f, c.s, 1, c.pad);
    expect(matmulFilterGradient(callWasm, tf.backend(), { dataId: {}, shape: c.x, dtype: 'float32' }, { dataId: {}, shape: info.outShape, dtype: 'float32' }, c.f, info)).toBeNull();
    expectClose(await onBackend('wasm', filterGradient(c)), await onBackend('cpu', filterGradient(c)));
  });

  it('lays out the columns of a stride-1 3x3 filter gradient as runs of the transposed input', () => {
    // One channel, a 4x4 padded grid holding 0..15: tap (u, v) starts at u*4 + v; 2 x 2 outputs => k = 6.
    const xT = Float32Array.from({ length: 16 }, (_, i) => i);
    const cols = new Float32Array(9 * 6);
    stridedColumns(xT, 16, [3, 3, 1], 4, 0, 6, cols);
    expect(Array.from(cols.subarray(0, 6))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(cols.subarray(5 * 6, 6 * 6))).toEqual([6, 7, 8, 9, 10, 11]); // tap (1, 2)
    expect(Array.from(cols.subarray(8 * 6, 9 * 6))).toEqual([10, 11, 12, 13, 14, 15]); // tap (2, 2)
  });

  it('lays out the columns of a 2x2 stride-2 filter gradient tap by tap', () => {
    // x [1, 2, 4, 1] = [[0 1 2 3] [4 5 6 7]]: output pixel j reads columns 2j, 2j + 1 of both rows.
    const cols = new Float32Array(4 * 2);
    tileColumns(Float32Array.from({ length: 8 }, (_, i) => i), [1, 1, 2], [2, 2, 1], cols);
    expect(Array.from(cols)).toEqual([0, 2, 1, 3, 4, 6, 5, 7]);
  });

  const poolCases: { x: Shape4; k: number; s: number; pad: 'valid' | 'same' }[] = [
    { x: [2, 9, 11, 3], k: 2, s: 2, pad: 'valid' },
    { x: [2, 8, 6, 4], k: 2, s: 2, pad: 'valid' },
    { x: [1, 9, 7, 2], k: 3, s: 2, pad: 'same' },
    { x: [2, 5, 6, 3], k: 2, s: 1, pad: 'same' },
  ];

  it.each(poolCases)('MaxPoolGrad matches cpu for x=$x, $k x $k stride $s $pad, with ties', async ({ x, k, s, pad }) => {
    // ReLU-like input: about half the values are 0, so many windows tie; the first maximum must win.
    const xs = randomArray(size(x), 21).map((v) => Math.max(0, v));
    const grad = (): tf.Tensor[] => {
      const input = tf.tensor4d(xs, x);
      const g = tf.grad((t: tf.Tensor) => {
        const pooled = tf.maxPool(t as tf.Tensor4D, k, s, pad);
        return tf.sum(tf.mul(pooled, tf.linspace(0.5, 2, pooled.size).reshape(pooled.shape)));
      });
      return [g(input)];
    };
    expectClose(await onBackend('wasm', grad), await onBackend('cpu', grad), 1e-6);
  });

  it.each([
    { shape: [2, 5, 7, 6], sizes: [2, 4], axis: 3 },
    { shape: [2, 5, 3, 4], sizes: [1, 3, 1], axis: 1 },
  ])('SplitV matches cpu for $shape split $sizes on axis $axis', async ({ shape, sizes, axis }) => {
    const xs = randomArray(size(shape), 31);
    const split = (): tf.Tensor[] => tf.split(tf.tensor(xs, shape), sizes, axis);
    const wasm = await onBackend('wasm', split);
    expect(wasm.map((t) => t.length)).toEqual(sizes.map((n) => (size(shape) / shape[axis]) * n));
    expectClose(wasm, await onBackend('cpu', split), 0);
  });

  it('Identity shares the data: the clone and the original stay readable after either is disposed', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.clone(a);
    a.dispose();
    expect(Array.from(await b.data())).toEqual([1, 2, 3]);
    const c = tf.clone(b);
    b.dispose();
    expect(Array.from(await c.data())).toEqual([1, 2, 3]);
    c.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('Cast to the same dtype shares the data; to another dtype it still converts', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const a = tf.tensor1d([1.5, -2, 0]);
    const same = tf.cast(a, 'float32');
    const ints = tf.cast(a, 'int32');
    a.dispose();
    expect(Array.from(await same.data())).toEqual([1.5, -2, 0]);
    expect(ints.dtype).toBe('int32');
    expect(Array.from(await ints.data())).toEqual([1, -2, 0]);
    tf.dispose([same, ints]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(['valid', 'same'] as const)('a %s U-Net gradient (batch 2, non-square) on wasm matches cpu, with and without these kernels', async (padding) => {
    const config = { depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0, padding, seed: 5 } as const;
    const [h, w] = padding === 'valid' ? [44, 60] : [40, 48];
    const xs = randomArray(2 * h * w, 41);
    const gradsOn = async (name: 'cpu' | 'wasm'): Promise<Float32Array[]> => {
      await tf.setBackend(name);
      const net = createUnet(config);
      const data = await onBackend(name, () => {
        const input = tf.tensor4d(xs, [2, h, w, 1]);
        const { grads } = tf.variableGrads(() => {
          const p = net.model.apply(input, { training: true }) as tf.Tensor;
          return tf.sum(tf.mul(tf.log(p), tf.linspace(0.1, 1, p.size).reshape(p.shape))) as tf.Scalar;
        });
        return Object.keys(grads)
          .sort()
          .map((n) => grads[n]);
      });
      net.dispose();
      return data;
    };
    const cpu = await gradsOn('cpu');
    expectClose(await gradsOn('wasm'), cpu);
    setWasmTrainingFastPaths(false);
    expectClose(await gradsOn('wasm'), cpu);
  });
});
