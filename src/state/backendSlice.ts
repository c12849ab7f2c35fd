import type { StateCreator } from 'zustand';
import type { BackendInfo, BackendPreference, Result } from '../worker/protocol';
import { backendNames } from '../worker/protocol';
import { getWorkerClient } from './client';
import type { StudioState } from './store';

export type BackendStatus = 'idle' | 'starting' | 'ready' | 'error';

export interface BackendSlice {
  backendStatus: BackendStatus;
  backendStage: string;
  backendInfo: BackendInfo | null;
  backendError: string | null;
  /** Uncaptured WebGPU errors and device losses, newest last. */
  gpuEvents: string[];
  selfTest: Result<'selfTest'> | null;
  benchmark: Result<'benchmark'> | null;
  benchmarkProgress: number;
  startBackend(preference: BackendPreference): Promise<void>;
  /** Compares the active backend with the CPU: one conv2d, or a 64x64 segmentation with the loaded model. */
  runSelfTest(target: 'conv' | 'model'): Promise<void>;
  runBenchmark(durationMs: number): Promise<void>;
}

export const initialBackendState = {
  backendStatus: 'idle' as BackendStatus,
  backendStage: '',
  backendInfo: null,
  backendError: null,
  gpuEvents: [],
  selfTest: null,
  benchmark: null,
  benchmarkProgress: 0,
};

/** Reads `?backend=` (webgpu | webgl | wasm | cpu | auto); anything else means auto. */
export function backendFromUrl(search: string): BackendPreference {
  const value = new URLSearchParams(search).get('backend');
  return value && (backendNames as readonly string[]).includes(value) ? (value as BackendPreference) : 'auto';
}

/** Reads `?threads=N` (threads of the WASM backend; benchmarks and tests); absent or invalid means the default. */
export function wasmThreadsFromUrl(search: string): number | undefined {
  const n = Number(new URLSearchParams(search).get('threads'));
  return Number.isInteger(n) && n >= 1 && n <= 64 ? n : undefined;
}

let eventsWired = false;

export const createBackendSlice: StateCreator<StudioState, [], [], BackendSlice> = (set, get) => ({
  ...initialBackendState,

  async startBackend(preference) {
    const client = getWorkerClient();
    if (!eventsWired) {
      eventsWired = true;
      client.onEvent((event) => {
        if (event.kind === 'gpuError') set((s) => ({ gpuEvents: [...s.gpuEvents, `GPU error: ${event.message}`] }));
        else if (event.kind === 'deviceLost') {
          const what = event.reinitialised ? 'GPU device was lost and has been re-initialised' : 'GPU device was lost';
          set((s) => ({ gpuEvents: [...s.gpuEvents, `${what}: ${event.message}`] }));
          get().notify(event.reinitialised ? 'warning' : 'error', `${what}.`);
        } else set({ backendInfo: event.info });
      });
    }
    set({ backendStatus: 'starting', backendStage: 'starting the model worker', backendError: null, selfTest: null, benchmark: null });
    try {
      const wasmThreads = typeof window === 'undefined' ? undefined : wasmThreadsFromUrl(window.location.search);
      const info = await client.call('init', { backend: preference, ...(wasmThreads ? { wasmThreads } : {}) }, { onProgress: (p) => set({ backendStage: p.stage }) });
      set({ backendStatus: 'ready', backendInfo: info, backendStage: '' });
      get().setStatus(`Model backend ready: ${info.backend}.`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      set({ backendStatus: 'error', backendError: message, backendStage: '' });
      get().notify('error', `Could not start a model backend: ${message}`);
    }
  },

  async runSelfTest(target) {
    set({ selfTest: null });
    const modelId = get().modelId ?? undefined;
    const params = target === 'model' ? { target, size: 64, channels: 1, seed: 7, modelId } : { target, size: 24, channels: 8, seed: 42 };
    const result = await getWorkerClient().call('selfTest', params);
    set({ selfTest: result });
  },

  async runBenchmark(durationMs) {
    set({ benchmark: null, benchmarkProgress: 0 });
    const result = await getWorkerClient().call(
      'benchmark',
      { durationMs, size: 96 },
      { onProgress: (p) => set({ benchmarkProgress: Math.min(1, p.elapsedMs / durationMs) }) },
    );
    set({ benchmark: result, benchmarkProgress: 1 });
    get().setStatus(`Benchmark on ${result.backend}: ${result.gflops.toFixed(2)} GFLOP/s over ${result.iterations} convolutions.`);
  },
});
