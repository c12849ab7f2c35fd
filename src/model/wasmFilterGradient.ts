/**
 * The weight gradient of a convolution (Conv2DBackpropFilter) on the 'wasm' backend as one XNNPACK matmul.
 *
 * Why: it was the largest cost of a training step (45% of the issue-11 case at 5 GFLOP/s, against 15 for the
 * forward convolutions). It ran as a convolution of the transposed input with dy as a filter of ho x wo taps
 * and one input channel, a shape XNNPACK's convolution handles poorly. Here the same sum is one matmul of the
 * shape XNNPACK's fully-connected operator is built for (tfjs-wasm sends BatchMatMul there only without
 * transposes and with batch 1):
 *
 *   dW[(u, v, c), o] = sum over q of cols[(u, v, c), q] * dyZ[q, o]
 *
 * - stride 1: with the padded input xp [b, hp, wp, ci] transposed to xT [ci, b*hp*wp], the tap (u, v) of
 *   channel c reads xT[c, q + u*wp + v] at the flat position q = (n*hp + i)*wp + j of output pixel (n, i, j).
 *   So every row of cols is ONE contiguous run of xT (a memcpy), provided dyZ is dy laid out on the same
 *   b x hp x wp grid with zeros where there is no output pixel (j >= wo or i >= ho): those columns read
 *   neighbouring pixels and contribute nothing. The grid is ~2% larger than the output at 252 px.
 * - kernel == stride, no padding (the 2x2 up-convolution's gradient): the taps do not overlap, so cols is
 *   the input's pixels rearranged once (tileColumns), and dy is used as it is.
 * Rows are ordered (u, v, c), so the product [kh*kw*ci, co] is already the filter's layout. Other shapes
 * (strides > 1 with overlapping taps, dilation) return null and keep the previous formulation.
 */
import * as tf from '@tensorflow/tfjs';
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { copyRun } from './wasmCopyKernels';
import type { HeapBackend } from './wasmCopyKernels';

type CallKernel = (name: string, backend: object, inputs: NamedTensorInfoMap, attrs: NamedAttrMap) => TensorInfo;

/** Everything the filter gradient needs from tfjs' conv info. */
export interface FilterGradientShape {
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly dilationHeight: number;
  readonly dilationWidth: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly padInfo: { top: number; bottom: number; left: number; right: number };
}

/**
 * Columns [q0, q0 + count) of cols [kh*kw*ci, .] from xT [ci, total]: row (u, v, c) is the run of xT[c]
 * starting at u*wp + v + q0. Exported for the test of the layout.
 */
export function stridedColumns(
  xT: tf.TypedArray,
  total: number,
  [kh, kw, ci]: readonly [number, number, number],
  wp: number,
  q0: number,
  count: number,
  cols: tf.TypedArray,
): void {
  for (let u = 0; u < kh; u++) {
    for (let v = 0; v < kw; v++) {
      for (let c = 0; c < ci; c++) copyRun(xT, c * total + u * wp + v + q0, cols, ((u * kw + v) * ci + c) * count, count);
    }
  }
}

/** Grid positions [q0, q0 + count) of dy [b, ho, wo, co] laid out on the b x hp x wp grid, zeros elsewhere. */
export function dyOnGrid(dy: tf.TypedArray, [b, ho, wo, co]: readonly number[], hp: number, wp: number, q0: number, count: number, out: tf.TypedArray): void {
  out.fill(0);
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < ho; i++) {
      const start = (n * hp + i) * wp;
      const from = Math.max(start, q0);
      const to = Math.min(start + wo, q0 + count);
      if (from < to) copyRun(dy, ((n * ho + i) * wo + from - start) * co, out, (from - q0) * co, (to - from) * co);
    }
  }
}

/**
 * Floats of one chunk of cols (8 MiB). The whole of it would be 9x the input (148 MiB for a 508 px tile of
 * 16 channels); in chunks the extra memory stays bounded, each chunk being one matmul whose results add up.
 */
const COLUMN_CHUNK = 1 << 21;

function stride1(
  call: CallKernel,
  backend: object,
  x: TensorInfo,
  dy: TensorInfo,
  filterShape: readonly [number, number, number, number],
  pad: FilterGradientShape['padInfo'],
): TensorInfo {
  const heap = backend as unknown as HeapBackend;
  const [kh, kw, ci, co] = filterShape;
  const padded = pad.top + pad.bottom + pad.left + pad.right > 0;
  const xp = padded
    ? call(tf.PadV2, backend, { x }, { paddings: [[0, 0], [pad.top, pad.bottom], [pad.left, pad.right], [0, 0]], constantValue: 0 })
    : x;
  const [b, hp, wp] = xp.shape;
  const xT = call(tf.Transpose, backend, { x: xp }, { perm: [3, 0, 1, 2] });
  if (padded) heap.disposeData(xp.dataId);
  const total = b * hp * wp;
  // The last grid position that holds an output pixel, + 1: every run of xT stays inside it.
  const k = total - ((kh - 1) * wp + (kw - 1));
  const rows = kh * kw * ci;
  const chunk = Math.max(1, Math.min(k, Math.floor(COLUMN_CHUNK / rows)));
  const sum = new Float64Array(rows * co);
  for (let q0 = 0; q0 < k; q0 += chunk) {
    const count = Math.min(chunk, k - q0);
    const cols = heap.makeOutput([1, rows, count], 'float32');
    const dyZ = heap.makeOutput([1, count, co], 'float32');
    // Views only after the last allocation: growing the WASM memory detaches older ones.
    stridedColumns(heap.typedArrayFromHeap(xT), total, [kh, kw, ci], wp, q0, count, heap.typedArrayFromHeap(cols));
    dyOnGrid(heap.typedArrayFromHeap(dy), dy.shape, hp, wp, q0, count, heap.typedArrayFromHeap(dyZ));
    const prod = call(tf.BatchMatMul, backend, { a: cols, b: dyZ }, { transposeA: false, transposeB: false });
    const values = heap.typedArrayFromHeap(prod);
    for (let i = 0; i < sum.length; i++) sum[i] += values[i];
    for (const t of [cols, dyZ, prod]) heap.disposeData(t.dataId);
  }
  heap.disposeData(xT.dataId);
  const out = heap.makeOutput([...filterShape], 'float32');
  heap.typedArrayFromHeap(out).set(sum);
  return out;
}

/** cols[(u, v, c), (n, i, j)] = x[n, i*kh + u, j*kw + v, c] for non-overlapping taps (exported for tests). */
export function tileColumns(x: tf.TypedArray, [b, ho, wo]: readonly number[], [kh, kw, ci]: readonly number[], cols: tf.TypedArray): void {
  const positions = b * ho * wo;
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < ho; i++) {
      for (let u = 0; u < kh; u++) {
        let src = ((n * ho + i) * kh + u) * wo * kw * ci;
        for (let j = 0; j < wo; j++) {
          const col = (n * ho + i) * wo + j;
          for (let v = 0; v < kw; v++) {
            for (let c = 0, to = (u * kw + v) * ci * positions + col; c < ci; c++, to += positions) cols[to] = x[src++];
          }
        }
      }
    }
  }
}

function nonOverlapping(
  call: CallKernel,
  backend: object,
  x: TensorInfo,
  dy: TensorInfo,
  filterShape: readonly [number, number, number, number],
): TensorInfo {
  const heap = backend as unknown as HeapBackend;
  const [kh, kw, ci, co] = filterShape;
  const [b, ho, wo] = dy.shape;
  // A 5-D Transpose kernel would do the same, but tfjs-wasm's generic one was 10x slower than this loop.
  const cols = heap.makeOutput([1, kh * kw * ci, b * ho * wo], 'float32');
  tileColumns(heap.typedArrayFromHeap(x), dy.shape, filterShape, heap.typedArrayFromHeap(cols));
  const dy2 = call(tf.Reshape, backend, { x: dy }, { shape: [1, b * ho * wo, co] });
  const prod = call(tf.BatchMatMul, backend, { a: cols, b: dy2 }, { transposeA: false, transposeB: false });
  heap.disposeData(cols.dataId);
  heap.disposeData(dy2.dataId);
  const out = call(tf.Reshape, backend, { x: prod }, { shape: [...filterShape] });
  heap.disposeData(prod.dataId);
  return out;
}

/**
 * dW by one matmul for the shapes above, or null (the caller falls back). `x` must be NHWC float32 and the
 * conv info from tf.backend_util.computeConv2DInfo of the forward convolution.
 */
export function matmulFilterGradient(
  call: CallKernel,
  backend: object,
  x: TensorInfo,
  dy: TensorInfo,
  filterShape: readonly [number, number, number, number],
  info: FilterGradientShape,
): TensorInfo | null {
  if (x.dtype !== 'float32' || dy.dtype !== 'float32' || info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  const [kh, kw] = filterShape;
  const { top, bottom, left, right } = info.padInfo;
  if (info.strideHeight === 1 && info.strideWidth === 1) {
    const [, h, w] = x.shape;
    // A stride-1 convolution reads every padded row and column: anything else is not the shape we derived.
    if (h + top + bottom - kh + 1 !== info.outHeight || w + left + right - kw + 1 !== info.outWidth) return null;
    return stride1(call, backend, x, dy, filterShape, info.padInfo);
  }
  const tiles = info.strideHeight === kh && info.strideWidth === kw && top + bottom + left + right === 0;
  if (tiles && x.shape[1] === info.outHeight * kh && x.shape[2] === info.outWidth * kw) {
    return nonOverlapping(call, backend, x, dy, filterShape);
  }
  return null;
}
