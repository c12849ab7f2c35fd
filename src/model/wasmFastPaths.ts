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

/**
 * A second switch for the training-step kernels (the matmul filter gradient of wasmFilterGradient.ts and
 * the other backward-pass kernels registered with it), so that a benchmark can compare the step with and
 * without them while everything else stays as shipped. On by default.
 */
let trainingEnabled = true;

export function setWasmTrainingFastPaths(on: boolean): void {
  trainingEnabled = on;
}

export function wasmTrainingFastPathsEnabled(): boolean {
  return trainingEnabled;
}
