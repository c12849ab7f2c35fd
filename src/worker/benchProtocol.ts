/**
 * Worker protocol, self-test and benchmark family: checks of the active backend against the CPU and
 * throughput measurements (handlers.ts, benchHandlers.ts). Types only (see protocol.ts).
 */

import type { ProfiledKernel, UnetConfig } from '../model/types';
import type { BackendName } from './backendProtocol';

/** Self-test and benchmark commands. */
export interface BenchCommands {
  /**
   * The active backend compared with the CPU backend on the same seeded input: a small conv2d
   * (`target: 'conv'`) or a whole tiled segmentation with the loaded model (`target: 'model'`).
   */
  selfTest: {
    params: { readonly target: 'conv' | 'model'; readonly size: number; readonly channels: number; readonly seed: number; readonly modelId?: string };
    result: {
      readonly target: 'conv' | 'model';
      readonly backend: BackendName;
      readonly maxAbsDiff: number;
      readonly outputSum: number;
      readonly ms: number;
      /** For `target: 'model'`: the largest difference of each U-Net op checked on its own. */
      readonly perOp?: Readonly<Record<string, number>>;
    };
    progress: never;
  };
  /** Repeated conv2d for a set time: measures throughput, and proves the main thread stays free. */
  benchmark: {
    params: { readonly durationMs: number; readonly size: number };
    result: { readonly backend: BackendName; readonly iterations: number; readonly ms: number; readonly gflops: number };
    progress: { readonly elapsedMs: number; readonly iterations: number };
  };
  /** Forward ms per tile at several tile sizes and ms per training step of a fresh U-Net (bench/browser.ts). */
  benchmarkModel: {
    params: {
      readonly config: UnetConfig;
      readonly tileSizes: readonly number[];
      readonly repeats: number;
      readonly trainTile: number;
      readonly trainSteps: number;
      /** Also run one more training step under `tf.profile` and return its kernels (bench/trainProfileBrowser.ts). */
      readonly profileTraining?: boolean;
    };
    result: {
      readonly backend: BackendName;
      readonly forward: readonly { readonly tile: number; readonly outTile: number; readonly msPerTile: number; readonly mpxPerS: number; readonly peakBytes: number }[];
      readonly training: { readonly tile: number; readonly steps: number; readonly msPerStep: number } | null;
      /** The profiled step's kernels in call order (with `profileTraining`); the bench classifies them. */
      readonly trainingKernels?: readonly ProfiledKernel[];
      /** Wall time of the profiled step, sampler included (profiling adds a little per kernel). */
      readonly profiledStepMs?: number;
    };
    progress: { readonly stage: string };
  };
}
