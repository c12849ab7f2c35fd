/**
 * Backward-pass kernels for the 'wasm' backend that replace stock ones which were slow for a U-Net's shapes
 * (issue 11, training step). Each is registered over the stock kernel and falls back to it for anything it
 * does not cover, and when `setWasmTrainingFastPaths(false)` (benchmarks compare both).
 *
 * - MaxPoolGrad: the stock C++ loop took 5% of a training step; this one finds each window's maximum once
 *   and adds dy there (the CPU backend's rule: the first maximum in row-major window order wins).
 * - SplitV (the concatenation's gradient): the stock kernel calls the stock Slice, which copies one pixel's
 *   channel block at a time with a fresh `subarray` each; this one uses the run copy of wasmCopyKernels.ts.
 * - Identity, and Cast to the same dtype (every ReLU's gradient casts its float mask to float): the stock
 *   kernels copy the data; tensors are immutable, so (like the CPU backend) these share it and count a
 *   reference.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { sliceInto } from './wasmCopyKernels';
import type { HeapBackend } from './wasmCopyKernels';
import { wasmTrainingFastPathsEnabled } from './wasmFastPaths';
import { wrapWasmKernel } from './wasmKernelWrap';

/** The pooling geometry maxPoolGradInto needs (a subset of tfjs' Conv2DInfo). */
export interface PoolGeometry {
  readonly batchSize: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly inChannels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly padTop: number;
  readonly padLeft: number;
}

/** dx of a max pool (NHWC, no dilation): each dy value goes to its window's first maximum in x. */
export function maxPoolGradInto(x: tf.TypedArray, dy: tf.TypedArray, g: PoolGeometry, dx: tf.TypedArray): void {
  const tiles2x2 = g.filterHeight === 2 && g.filterWidth === 2 && g.strideHeight === 2 && g.strideWidth === 2;
  if (tiles2x2 && g.padTop === 0 && g.padLeft === 0) {
    pool2x2GradInto(x, dy, g, dx);
    return;
  }
  const c = g.inChannels;
  const best = new Float64Array(c);
  const at = new Int32Array(c);
  dx.fill(0);
  for (let n = 0, o = 0; n < g.batchSize; n++) {
    for (let i = 0; i < g.outHeight; i++) {
      for (let j = 0; j < g.outWidth; j++, o += c) {
        best.fill(-Infinity);
        at.fill(-1);
        for (let u = 0; u < g.filterHeight; u++) {
          const y = i * g.strideHeight - g.padTop + u;
          if (y < 0 || y >= g.inHeight) continue;
          for (let v = 0; v < g.filterWidth; v++) {
            const xx = j * g.strideWidth - g.padLeft + v;
            if (xx < 0 || xx >= g.inWidth) continue;
            const base = ((n * g.inHeight + y) * g.inWidth + xx) * c;
            for (let k = 0; k < c; k++) {
              if (x[base + k] > best[k]) {
                best[k] = x[base + k];
                at[k] = base + k;
              }
            }
          }
        }
        for (let k = 0; k < c; k++) if (at[k] >= 0) dx[at[k]] += dy[o + k];
      }
    }
  }
}

/** The U-Net's 2x2 stride-2 pool: windows do not overlap, so each dx pixel gets at most one dy value. */
function pool2x2GradInto(x: tf.TypedArray, dy: tf.TypedArray, g: PoolGeometry, dx: tf.TypedArray): void {
  const c = g.inChannels;
  const row = g.inWidth * c;
  dx.fill(0);
  for (let n = 0, o = 0; n < g.batchSize; n++) {
    for (let i = 0; i < g.outHeight; i++) {
      for (let j = 0; j < g.outWidth; j++) {
        const p00 = ((n * g.inHeight + 2 * i) * g.inWidth + 2 * j) * c;
        for (let k = 0; k < c; k++, o++) {
          // Same order and comparison as the general loop: -Infinity start, strictly greater replaces.
          const a = p00 + k;
          let best = -Infinity;
          let at = -1;
          for (let t = 0; t < 4; t++) {
            const p = t < 2 ? a + t * c : a + row + (t - 2) * c;
            const value = x[p];
            if (value > best) {
              best = value;
              at = p;
            }
          }
          if (at >= 0) dx[at] = dy[o];
        }
      }
    }
  }
}

function makeMaxPoolGrad(original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
    if (!wasmTrainingFastPathsEnabled() || input.dtype !== 'float32') return original(args);
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
    const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
    const heap = backend as unknown as HeapBackend;
    const dx = heap.makeOutput(input.shape, 'float32');
    const geometry: PoolGeometry = { ...info, padTop: info.padInfo.top, padLeft: info.padInfo.left };
    maxPoolGradInto(heap.typedArrayFromHeap(input), heap.typedArrayFromHeap(dy), geometry, heap.typedArrayFromHeap(dx));
    return dx;
  };
}

function makeSplitV(original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const x = inputs.x as TensorInfo;
    if (!wasmTrainingFastPathsEnabled() || x.dtype === 'string') return original(args);
    const { numOrSizeSplits, axis } = attrs as unknown as tf.SplitVAttrs;
    const ax = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, numOrSizeSplits, ax);
    const heap = backend as unknown as HeapBackend;
    let start = 0;
    const parts = sizes.map((s) => {
      const begin = new Array<number>(x.shape.length).fill(0);
      begin[ax] = start;
      start += s;
      const size = [...x.shape];
      size[ax] = s;
      return { out: heap.makeOutput(size, x.dtype), begin, size };
    });
    // Views only after the last allocation: growing the WASM memory detaches older ones.
    const xv = heap.typedArrayFromHeap(x);
    for (const { out, begin, size } of parts) sliceInto(xv, x.shape, begin, size, heap.typedArrayFromHeap(out));
    return parts.map(({ out }) => out);
  };
}

function makeIdentity(original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const x = inputs.x as TensorInfo;
    const dtype = (attrs as Partial<tf.CastAttrs> | undefined)?.dtype ?? x.dtype;
    if (!wasmTrainingFastPathsEnabled() || x.dtype === 'string' || dtype !== x.dtype) return original(args);
    (backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

let registered = false;

/** Wraps the 'wasm' backend's MaxPoolGrad, SplitV, Identity and Cast (idempotent). */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  wrapWasmKernel(tf.MaxPoolGrad, makeMaxPoolGrad);
  wrapWasmKernel(tf.SplitV, makeSplitV);
  wrapWasmKernel(tf.Identity, makeIdentity);
  wrapWasmKernel(tf.Cast, makeIdentity);
}
