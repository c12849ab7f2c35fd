/**
 * Worker protocol, backend family: the tfjs backends, what the worker reports once one is ready, and the
 * `init` command that starts (or switches) it. Types and constant tables only (see protocol.ts).
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

/** The backend command (handlers.ts). */
export interface BackendCommands {
  init: {
    /** `wasmThreads`: threads of the WASM backend (default: one per core); fixed at its first start in a worker. */
    params: { readonly backend: BackendPreference; readonly wasmThreads?: number };
    result: BackendInfo;
    progress: { readonly stage: string };
  };
}
