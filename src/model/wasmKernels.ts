/**
 * Gradient kernels that tfjs-backend-wasm 4.22 lacks but a U-Net's backward pass needs, composed from
 * kernels the WASM backend does have (XNNPACK matmul, slice, transpose, pad, concat).
 *
 * Why: the pure-JS CPU backend trains a small U-Net at ~1 GFLOP/s; the WASM backend's forward pass is
 * ~20x faster but training fails with "Kernel 'Conv2DBackpropFilter' not registered". Registering the
 * missing kernels lets both Node and a browser without a usable GPU fine-tune on WASM.
 *
 * Audit of the kernels a U-Net's gradient touches (tfjs-core gradient definitions, wasm 4.22):
 * Conv2D/FusedConv2D grad -> Conv2DBackpropInput (present but slow: fast paths added here) and
 * Conv2DBackpropFilter (MISSING, added here);
 * Conv2DTranspose grad -> Conv2D (present) and Conv2DBackpropFilter; Relu grad -> Step, Multiply (present);
 * MaxPool grad -> MaxPoolGrad (present); UpSampling2D grad -> ResizeNearestNeighborGrad (present);
 * Softmax / LogSoftmax grads -> Exp, Sum, Sub, Multiply (present); Slice (cropping) grad -> PadV2 (present);
 * Concat grad -> SplitV / Slice (present); bias grads -> Sum (present). `gradientSmokeTest` (gradientCheck.ts)
 * verifies this list on the live backend, so a future gap is reported by name instead of mid-training.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { registerWasmCopyKernels } from './wasmCopyKernels';
import type { HeapBackend } from './wasmCopyKernels';
import { wasmFastPathsEnabled, wasmTrainingFastPathsEnabled } from './wasmFastPaths';
import { matmulFilterGradient } from './wasmFilterGradient';
import { wrapWasmKernel } from './wasmKernelWrap';
import { registerWasmTrainingKernels } from './wasmTrainingKernels';

/** Names of the kernels this module adds to the 'wasm' backend. */
export const wasmGradientKernelNames: readonly string[] = [tf.Conv2DBackpropFilter, tf.Conv2DBackpropInput];

/** Minimal view of the backend object a kernel receives: enough to free intermediate buffers. */
interface DisposingBackend {
  disposeData(dataId: object, force?: boolean): boolean;
}

/** Calls another kernel already registered for the same backend (no tape, no engine bookkeeping). */
function callKernel(
  name: string,
  backend: object,
  inputs: NamedTensorInfoMap | TensorInfo[],
  attrs: NamedAttrMap,
): TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) {
    throw new Error(`wasm backend lacks kernel '${name}' needed to compose a gradient kernel`);
  }
  // Concat takes its inputs as an array; every other kernel as a named map.
  const out = kernel.kernelFunc({ inputs: inputs as NamedTensorInfoMap, attrs, backend });
  return Array.isArray(out) ? out[0] : out;
}

function free(backend: object, ...infos: TensorInfo[]): void {
  for (const info of infos) (backend as unknown as DisposingBackend).disposeData(info.dataId);
}

/**
 * dW[kh, kw, ci, co] = sum over b, i, j of xPadded[b, i*s + kh, j*s + kw, ci] * dy[b, i, j, co].
 * Read with ci as the batch, b as the channel and (i, j) as the filter taps, that sum is itself a
 * convolution: conv2d(x^T [ci, h, w, b], dy^T [ho, wo, b, co], dilation = s) gives [ci, kh, kw, co].
 * XNNPACK runs it at forward-convolution speed (a slice-and-matmul formulation was 2-3x slower here).
 * It was nevertheless the largest cost of a training step (5 GFLOP/s, against 15 for the forward convs):
 * the shapes a U-Net has (stride 1; the 2x2 up-convolution) now take matmuls instead (wasmFilterGradient.ts,
 * 1.3-2.6x faster per layer); this stays for the rest and when setWasmTrainingFastPaths(false).
 */
const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`wasm Conv2DBackpropFilter supports only NHWC data, got ${dataFormat}`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  if (wasmTrainingFastPathsEnabled()) {
    const fast = matmulFilterGradient(callKernel, backend, x, dy, filterShape, info);
    if (fast !== null) return fast;
  }
  const [kh, kw, ci, co] = filterShape;
  const { top, bottom, left, right } = info.padInfo;
  const xT = callKernel(tf.Transpose, backend, { x }, { perm: [3, 1, 2, 0] });
  const dyT = callKernel(tf.Transpose, backend, { x: dy }, { perm: [1, 2, 0, 3] });
  const full = callKernel(
    tf.Conv2D,
    backend,
    { x: xT, filter: dyT },
    {
      strides: [1, 1],
      dilations: [info.strideHeight, info.strideWidth],
      pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
      dataFormat: 'NHWC',
    },
  );
  free(backend, xT, dyT);
  // With a stride that does not divide (size - kernel) the trailing rows were never read by the
  // forward conv: they come out here as extra taps beyond the kernel and are dropped.
  let taps = full;
  if (full.shape[1] !== kh || full.shape[2] !== kw) {
    taps = callKernel(tf.Slice, backend, { x: full }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] });
    free(backend, full);
  }
  const out = callKernel(tf.Transpose, backend, { x: taps }, { perm: [1, 2, 0, 3] });
  free(backend, taps);
  return out;
};

/**
 * Input gradient of a convolution (also the forward pass of Conv2DTranspose). tfjs-backend-wasm's own
 * kernel is a scalar loop, ~8x slower than its XNNPACK forward conv and the largest cost of a U-Net
 * training step, so two exact fast paths are routed through XNNPACK; other shapes use the original.
 * - stride 1: dx = conv2d(dy, W flipped in space with in/out channels swapped), padded so that every
 *   input pixel sees every tap that read it ("full" correlation).
 * - kernel == stride, no padding (the U-Net's 2x2 stride-2 up-convolution): the taps do not overlap, so
 *   dx is matmuls of dy [n, co] with W^T placed row by row (upConvolution below); with the fast paths
 *   switched off, one matmul followed by DepthToSpace, as before issue 11.
 */
function makeConv2DBackpropInput(original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { inputShape, strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (dataFormat !== undefined && dataFormat !== 'NHWC') return original(args);
    const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(inputShape, [kh, kw, ci, co], strides, 1, pad, dimRoundingMode);
    const [b, h, w] = inputShape;
    const [ho, wo] = [info.outHeight, info.outWidth];
    const { top, bottom, left, right } = info.padInfo;
    if (info.strideHeight === 1 && info.strideWidth === 1) {
      const pt = kh - 1 - top;
      const pl = kw - 1 - left;
      const pb = h - ho - pt + kh - 1;
      const pr = w - wo - pl + kw - 1;
      if (pt < 0 || pl < 0 || pb < 0 || pr < 0) return original(args);
      const flipped = callKernel(tf.Reverse, backend, { x: filter }, { dims: [0, 1] });
      const swapped = callKernel(tf.Transpose, backend, { x: flipped }, { perm: [0, 1, 3, 2] });
      free(backend, flipped);
      const out = callKernel(
        tf.Conv2D,
        backend,
        { x: dy, filter: swapped },
        { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [pt, pb], [pl, pr], [0, 0]], dataFormat: 'NHWC' },
      );
      free(backend, swapped);
      return out;
    }
    const nonOverlapping =
      info.strideHeight === kh && info.strideWidth === kw && kh === kw && top + bottom + left + right === 0;
    if (!nonOverlapping || h !== ho * kh || w !== wo * kw) return original(args);
    if (wasmFastPathsEnabled()) return upConvolution(backend, dy, filter, [b, h, w, ci]);
    const wT = callKernel(tf.Transpose, backend, { x: filter }, { perm: [3, 0, 1, 2] });
    const w2 = callKernel(tf.Reshape, backend, { x: wT }, { shape: [1, co, kh * kw * ci] });
    const dy2 = callKernel(tf.Reshape, backend, { x: dy }, { shape: [1, b * ho * wo, co] });
    const prod = callKernel(tf.BatchMatMul, backend, { a: dy2, b: w2 }, { transposeA: false, transposeB: false });
    free(backend, wT, w2, dy2);
    // Channel order (row tap, column tap, ci) is exactly DepthToSpace's NHWC block layout.
    const blocks = callKernel(tf.Reshape, backend, { x: prod }, { shape: [b, ho, wo, kh * kw * ci] });
    free(backend, prod);
    const out = callKernel(tf.DepthToSpace, backend, { x: blocks }, { blockSize: kh, dataFormat: 'NHWC' });
    free(backend, blocks);
    return out;
  };
}

/**
 * The non-overlapping transposed convolution (kernel == stride, no padding) without DepthToSpace, whose
 * WASM loop cost 9x the matmul itself (issue 11: 1232 ms vs 136 ms at the EM model's largest level).
 * One matmul per kernel row ti: dy [b*ho*wo, co] x W_ti^T [co, kw*ci] gives, for every input row i, the
 * whole output row i*kh + ti already in NHWC order ((j, column tap, ci) is exactly (output column, ci)),
 * so it is placed with one contiguous copy per row.
 */
function upConvolution(backend: object, dy: TensorInfo, filter: TensorInfo, outShape: [number, number, number, number]): TensorInfo {
  const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
  const [b, h, w] = outShape;
  const rows = b * (h / kh);
  const rowLength = w * ci;
  const heap = backend as unknown as HeapBackend;
  const out = heap.makeOutput(outShape, 'float32');
  const wT = callKernel(tf.Transpose, backend, { x: filter }, { perm: [3, 0, 1, 2] });
  const dy2 = callKernel(tf.Reshape, backend, { x: dy }, { shape: [1, rows * (w / kw), co] });
  for (let ti = 0; ti < kh; ti++) {
    const tap = callKernel(tf.Slice, backend, { x: wT }, { begin: [0, ti, 0, 0], size: [co, 1, kw, ci] });
    const tap2 = callKernel(tf.Reshape, backend, { x: tap }, { shape: [1, co, kw * ci] });
    const prod = callKernel(tf.BatchMatMul, backend, { a: dy2, b: tap2 }, { transposeA: false, transposeB: false });
    // Views only now: the matmul's allocation may have grown (and detached) the WASM memory.
    const src = heap.typedArrayFromHeap(prod);
    const dst = heap.typedArrayFromHeap(out);
    for (let r = 0; r < rows; r++) dst.set(src.subarray(r * rowLength, (r + 1) * rowLength), (r * kh + ti) * rowLength);
    free(backend, tap, tap2, prod);
  }
  free(backend, wT, dy2);
  return out;
}

let registered = false;

/**
 * Registers the missing gradient kernels for the 'wasm' backend and the fast Conv2DBackpropInput paths.
 * Idempotent; a Conv2DBackpropFilter that a newer tfjs-backend-wasm provides is left in place.
 * Call before the first gradient computation (registration does not need the backend to be ready).
 */
export function registerWasmGradientKernels(): void {
  if (registered) return;
  registered = true;
  if (tf.getKernel(tf.Conv2DBackpropFilter, 'wasm') === undefined) {
    tf.registerKernel({ kernelName: tf.Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: conv2DBackpropFilter });
  }
  wrapWasmKernel(tf.Conv2DBackpropInput, makeConv2DBackpropInput);
  registerWasmCopyKernels();
  registerWasmTrainingKernels();
}
