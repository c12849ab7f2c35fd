/**
 * One switch for the copy-free WASM paths of issue 11 (wasmCopyKernels.ts, the up-convolution in
 * wasmKernels.ts, the folded skip concatenation in unetForward.ts). On by default; benchmarks turn it off
 * to measure the stock kernels in the same process, interleaved, and tests compare both paths.
 */
let enabled = true;

export function setWasmFastPaths(on: boolean): void {
  enabled = on;
}

export function wasmFastPathsEnabled(): boolean {
  return enabled;
}
