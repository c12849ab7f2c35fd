import * as tf from '@tensorflow/tfjs';
import type { KernelFunc } from '@tensorflow/tfjs';

/**
 * Replaces the 'wasm' backend's kernel `name` with `make(stock)`, which may fall back to the stock kernel
 * function. The registration keeps the stock setupFunc, which binds the WASM exports the fallback calls.
 * Does nothing when the backend has no such kernel.
 */
export function wrapWasmKernel(name: string, make: (stock: KernelFunc) => KernelFunc): void {
  const stock = tf.getKernel(name, 'wasm');
  if (stock === undefined) return;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...stock, kernelFunc: make(stock.kernelFunc) });
}
