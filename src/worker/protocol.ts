/**
 * The typed message protocol between the main thread and the model worker.
 *
 * Every request carries an `id`; the worker answers with exactly one terminal message for it (`result`,
 * `error` or `cancelled`) and any number of `progress` messages before that. `cancel` names the id to stop;
 * long handlers check their AbortSignal between units of work (tiles, steps). Pixel buffers travel in the
 * transfer list, never copied. This file holds types only (plus constant tables), so importing it never pulls
 * worker code into the main bundle.
 */

/** Backends the worker can run tfjs on. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
/** What the user asked for: a forced backend, or automatic choice. */
export type BackendPreference = BackendName | 'auto';

export const backendNames: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** The WebGPU adapter facts shown to the user and used to size tiles. */
export interface GpuAdapterFacts {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  readonly isFallbackAdapter: boolean;
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  /** The limits the device was actually created with (asked for from the adapter, not the defaults). */
  readonly deviceMaxStorageBufferBindingSize: number;
  readonly deviceMaxBufferSize: number;
}

/** Time of one probe operation on one candidate backend during automatic selection. */
export interface BackendProbe {
  readonly backend: BackendName;
  /** Milliseconds per probe op, or null when the backend could not start. */
  readonly ms: number | null;
  readonly error?: string;
}

/** What the worker reports once a backend is ready. */
export interface BackendInfo {
  readonly backend: BackendName;
  readonly requested: BackendPreference;
  /** One sentence for the UI: why this backend. */
  readonly reason: string;
  /** Present when WebGPU is unusable or was passed over, for a visible notice. */
  readonly notice?: string;
  readonly webgpuAvailable: boolean;
  readonly gpu?: GpuAdapterFacts;
  readonly probes: readonly BackendProbe[];
  /** WASM only: whether SIMD and threads are in use. */
  readonly wasm?: { readonly simd: boolean; readonly threads: number };
  readonly crossOriginIsolated: boolean;
}

/** Request parameters, results and progress payloads per command. */
export interface CommandMap {
  init: {
    params: { readonly backend: BackendPreference };
    result: BackendInfo;
    progress: { readonly stage: string };
  };
  /** A small conv2d on the active backend compared with the CPU backend. */
  selfTest: {
    params: { readonly size: number; readonly channels: number; readonly seed: number };
    result: {
      readonly backend: BackendName;
      readonly maxAbsDiff: number;
      readonly outputSum: number;
      readonly ms: number;
    };
    progress: never;
  };
  /** Repeated conv2d for a set time: measures throughput, and proves the main thread stays free. */
  benchmark: {
    params: { readonly durationMs: number; readonly size: number };
    result: { readonly backend: BackendName; readonly iterations: number; readonly ms: number; readonly gflops: number };
    progress: { readonly elapsedMs: number; readonly iterations: number };
  };
}

export type CommandName = keyof CommandMap;
export type Params<K extends CommandName> = CommandMap[K]['params'];
export type Result<K extends CommandName> = CommandMap[K]['result'];
export type Progress<K extends CommandName> = CommandMap[K]['progress'];

/** A request for command K. */
export type CommandRequest<K extends CommandName> = {
  readonly type: K;
  readonly id: number;
  readonly params: Params<K>;
};

export type CancelRequest = { readonly type: 'cancel'; readonly id: number; readonly target: number };

/** Everything the main thread may send. */
export type WorkerRequest = { [K in CommandName]: CommandRequest<K> }[CommandName] | CancelRequest;

/** Unsolicited worker events (not answers to a request). */
export type WorkerEvent =
  | { readonly kind: 'deviceLost'; readonly message: string; readonly reinitialised: boolean }
  | { readonly kind: 'gpuError'; readonly message: string }
  | { readonly kind: 'backendChanged'; readonly info: BackendInfo };

/** Serialisable error: the worker never throws across the boundary. */
export interface WorkerErrorInfo {
  readonly name: string;
  readonly message: string;
}

/** Everything the worker may send. */
export type WorkerResponse =
  | { [K in CommandName]: { readonly type: 'result'; readonly id: number; readonly command: K; readonly result: Result<K> } }[CommandName]
  | { [K in CommandName]: { readonly type: 'progress'; readonly id: number; readonly command: K; readonly progress: Progress<K> } }[CommandName]
  | { readonly type: 'error'; readonly id: number; readonly error: WorkerErrorInfo }
  | { readonly type: 'cancelled'; readonly id: number }
  | { readonly type: 'event'; readonly event: WorkerEvent };
