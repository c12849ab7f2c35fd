/**
 * Slice and Concat for the 'wasm' backend that copy whole contiguous runs instead of one pixel at a time.
 *
 * Why: tfjs-backend-wasm 4.22 implements both in JavaScript with one `subarray` + `set` per innermost
 * row. On NHWC feature maps that is one allocation per *pixel*: the U-Net's skip crop (a spatial Slice)
 * and its channel concatenation took 7-12% of inference time for no arithmetic at all (issue 11), and the
 * concat's gradient (a channel Slice) as much again in training. Here a Slice copies the longest run that
 * is contiguous in both tensors (a whole cropped row of a spatial crop), and short runs (a channel block
 * of one pixel) are copied with a plain loop, which allocates nothing.
 *
 * Both run on the tensors' views of the WASM heap, exactly like the stock kernels, so they work in Node
 * and in the browser worker alike; other dtypes (strings) and the rare shapes they do not cover fall back
 * to the stock kernel. `setWasmFastPaths(false)` switches them off (benchmarks compare both).
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { wasmFastPathsEnabled } from './wasmFastPaths';
import { wrapWasmKernel } from './wasmKernelWrap';

/** The parts of tfjs-backend-wasm's BackendWasm these kernels use. */
export interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): tf.TypedArray;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** Runs shorter than this are copied element by element: `set(subarray)` allocates a view per call. */
const SHORT_RUN = 48;

/** Copies `n` elements from src[from..] to dst[to..]. */
export function copyRun(src: tf.TypedArray, from: number, dst: tf.TypedArray, to: number, n: number): void {
  if (n < SHORT_RUN) {
    for (let i = 0; i < n; i++) dst[to + i] = src[from + i];
  } else {
    dst.set(src.subarray(from, from + n), to);
  }
}

function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/**
 * out = x[begin : begin + size] for any rank. The trailing axes the slice keeps whole are merged with
 * the innermost partial one into a single contiguous run; the outer axes are walked as an odometer.
 */
export function sliceInto(
  xv: tf.TypedArray,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
  out: tf.TypedArray,
): void {
  const rank = shape.length;
  if (size.some((s) => s === 0)) return;
  if (rank === 0) {
    out[0] = xv[0];
    return;
  }
  const strides = stridesOf(shape);
  // Axis `inner`: the outermost axis from which every later axis is taken whole.
  let inner = rank - 1;
  while (inner > 0 && begin[inner] === 0 && size[inner] === shape[inner]) inner--;
  const run = rank === 0 ? 1 : size[inner] * strides[inner];
  let offset = 0;
  for (let d = 0; d < rank; d++) offset += begin[d] * strides[d];
  const index = new Array<number>(inner).fill(0);
  const outer = size.slice(0, inner).reduce((a, b) => a * b, 1);
  let from = offset;
  for (let k = 0, to = 0; k < outer; k++, to += run) {
    copyRun(xv, from, out, to, run);
    // Advance the odometer over the outer axes, moving `from` by the matching strides.
    for (let d = inner - 1; d >= 0; d--) {
      from += strides[d];
      if (++index[d] < size[d]) break;
      from -= size[d] * strides[d];
      index[d] = 0;
    }
  }
}

/** Concatenation along `axis` of tensors that agree on every other axis. */
export function concatInto(inputs: readonly { values: tf.TypedArray; inner: number }[], outer: number, out: tf.TypedArray): void {
  const total = inputs.reduce((n, t) => n + t.inner, 0);
  let base = 0;
  for (const { values, inner } of inputs) {
    for (let b = 0, from = 0, to = base; b < outer; b++, from += inner, to += total) copyRun(values, from, out, to, inner);
    base += inner;
  }
}

function makeSlice(original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const x = inputs.x as TensorInfo;
    if (!wasmFastPathsEnabled() || x.dtype === 'string') return original(args);
    const { begin, size } = attrs as unknown as tf.SliceAttrs;
    const [begin_, size_] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, begin, size);
    const heap = backend as unknown as HeapBackend;
    const out = heap.makeOutput(size_, x.dtype);
    // Views after makeOutput: allocating may grow the WASM memory and detach older views.
    sliceInto(heap.typedArrayFromHeap(x), x.shape, begin_, size_, heap.typedArrayFromHeap(out));
    return out;
  };
}

function makeConcat(original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const list = (Array.isArray(inputs) ? inputs : Object.values(inputs)) as TensorInfo[];
    const nonEmpty = list.filter((t) => tf.util.sizeFromShape(t.shape) > 0);
    if (!wasmFastPathsEnabled() || nonEmpty.length < 2 || nonEmpty[0].dtype === 'string') return original(args);
    const axis = tf.util.parseAxisParam((attrs as unknown as tf.ConcatAttrs).axis, list[0].shape)[0];
    const outShape = tf.backend_util.computeOutShape(
      list.map((t) => t.shape),
      axis,
    );
    const heap = backend as unknown as HeapBackend;
    const out = heap.makeOutput(outShape, nonEmpty[0].dtype);
    const outer = tf.util.sizeFromShape(outShape.slice(0, axis));
    const parts = nonEmpty.map((t) => ({ values: heap.typedArrayFromHeap(t), inner: tf.util.sizeFromShape(t.shape.slice(axis)) }));
    concatInto(parts, outer, heap.typedArrayFromHeap(out));
    return out;
  };
}

let registered = false;

/** Replaces the 'wasm' backend's Slice and Concat (idempotent; called by registerWasmGradientKernels). */
export function registerWasmCopyKernels(): void {
  if (registered) return;
  registered = true;
  wrapWasmKernel(tf.Slice, makeSlice);
  wrapWasmKernel(tf.Concat, makeConcat);
}
