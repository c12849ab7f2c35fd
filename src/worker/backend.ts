import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { BackendInfo, BackendName, BackendPreference, BackendProbe, GpuAdapterFacts, WorkerEvent } from './protocol';
import { registerWasmGradientKernels } from '../model/wasmKernels';
import { probeConv } from './probe';

// tfjs-backend-wasm 4.22 lacks Conv2DBackpropFilter; with it registered, a laptop without a usable GPU
// fine-tunes on WASM instead of the far slower CPU backend.
registerWasmGradientKernels();

// Vite serves the .wasm binaries as assets; tfjs picks the threaded build when the page is cross-origin
// isolated (SharedArrayBuffer available), else SIMD.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlainUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
});

/** XNNPACK's thread pool in tfjs-backend-wasm 4.22 is built with 8 pthreads; it cannot use more. */
const maxWasmThreads = 8;

/**
 * Runs `start` with the WASM backend's thread count set to `requested` (default: one per core). tfjs's C code
 * caps the count at navigator.hardwareConcurrency / 2 (it assumes two hyper-threads per core), read once when
 * the module instantiates, so a 2-core laptop gets 1 thread whatever setThreadsCount says; 2 was measured
 * faster (README, "All cores in the browser"). So until the backend has started, this worker's
 * hardwareConcurrency reads as twice the count asked for. Once started, the pool is fixed for the worker.
 */
async function withWasmThreads<T>(requested: number | undefined, start: () => Promise<T>): Promise<T> {
  if ('wasm' in tf.engine().registry) return start();
  const navigator = self.navigator;
  const threads = Math.min(maxWasmThreads, Math.max(1, Math.floor(requested ?? (navigator.hardwareConcurrency || 1))));
  setThreadsCount(threads);
  Object.defineProperty(navigator, 'hardwareConcurrency', { configurable: true, get: () => threads * 2 });
  try {
    return await start();
  } finally {
    // The own property shadowed WorkerNavigator's getter; deleting it restores the real count.
    delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}

/** Order of preference among the non-WebGPU backends when probes tie or fail. */
const fallbackOrder: readonly BackendName[] = ['wasm', 'webgl', 'cpu'];

/** A backend that has not answered in this time is treated as unusable (a hung GL context, say). */
const probeTimeoutMs = 20_000;

export interface BackendHooks {
  /** Unsolicited events to the main thread (device lost, uncaptured GPU errors). */
  emit(event: WorkerEvent): void;
  onStage(stage: string): void;
}

interface AdapterProbe {
  readonly adapter: GPUAdapter | null;
  readonly facts?: GpuAdapterFacts;
  readonly error?: string;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

async function requestAdapter(): Promise<AdapterProbe> {
  const gpu = (self.navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return { adapter: null, error: 'this browser exposes no WebGPU (navigator.gpu is missing)' };
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return { adapter: null, error: 'navigator.gpu.requestAdapter() returned no adapter' };
    const info = adapter.info;
    // Chromium 156 reports isFallbackAdapter on adapter.info; older versions had it on the adapter.
    const legacy = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
    const facts: GpuAdapterFacts = {
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
      isFallbackAdapter: Boolean(info.isFallbackAdapter ?? legacy),
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
      deviceMaxStorageBufferBindingSize: 0,
      deviceMaxBufferSize: 0,
    };
    return { adapter, facts };
  } catch (error) {
    return { adapter: null, error: `requestAdapter failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

let currentDevice: GPUDevice | null = null;

/**
 * Creates a device with the adapter's real buffer limits (the 128 MiB default storage binding silently caps
 * tile size), hands it to tfjs's WebGPU backend, and watches for loss: a lost device makes the worker
 * re-initialise rather than hang on promises that never resolve.
 */
async function startWebGpu(adapter: GPUAdapter, facts: GpuAdapterFacts, hooks: BackendHooks, reinit: () => Promise<void>): Promise<GpuAdapterFacts> {
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
  });
  device.addEventListener('uncapturederror', (event) => {
    const message = (event as GPUUncapturedErrorEvent).error.message;
    // Visible in the console (tests fail on it) and in the UI: a WGSL error otherwise yields silent zeros.
    console.error(`WebGPU error: ${message}`);
    hooks.emit({ kind: 'gpuError', message });
  });
  currentDevice = device;
  void device.lost.then(async (info) => {
    if (currentDevice !== device || info.reason === 'destroyed') return;
    currentDevice = null;
    try {
      await reinit();
      hooks.emit({ kind: 'deviceLost', message: info.message || 'GPU device lost', reinitialised: true });
    } catch (error) {
      hooks.emit({ kind: 'deviceLost', message: `${info.message}; re-initialising failed: ${String(error)}`, reinitialised: false });
    }
  });
  // Importing tfjs-backend-webgpu registers its own factory, which would request a second device with
  // other limits; replace it so tfjs runs on the device created (and watched) here.
  if ('webgpu' in tf.engine().registryFactory) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(device, adapter.info), 3);
  await tf.setBackend('webgpu');
  return {
    ...facts,
    deviceMaxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
    deviceMaxBufferSize: device.limits.maxBufferSize,
  };
}

async function tryBackend(name: BackendName): Promise<BackendProbe> {
  try {
    const ok = await withTimeout(tf.setBackend(name), probeTimeoutMs, `the ${name} backend`);
    if (!ok) return { backend: name, ms: null, error: 'failed to initialise' };
    await tf.ready();
    const ms = await withTimeout(probeConv(), probeTimeoutMs, `the ${name} probe`);
    return { backend: name, ms };
  } catch (error) {
    return { backend: name, ms: null, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Picks the fastest non-WebGPU backend by timing the same small convolution on each. */
async function pickFastest(hooks: BackendHooks, only?: BackendName): Promise<{ chosen: BackendName; probes: BackendProbe[] }> {
  const candidates = only ? [only] : fallbackOrder;
  const probes: BackendProbe[] = [];
  for (const name of candidates) {
    hooks.onStage(`measuring ${name}`);
    probes.push(await tryBackend(name));
  }
  const usable = probes.filter((p): p is BackendProbe & { ms: number } => p.ms !== null);
  if (usable.length === 0) {
    if (only) return pickFastest(hooks);
    throw new Error(`No tfjs backend could start: ${probes.map((p) => `${p.backend}: ${p.error}`).join('; ')}`);
  }
  const best = usable.reduce((a, b) => (b.ms < a.ms ? b : a));
  await tf.setBackend(best.backend);
  return { chosen: best.backend, probes };
}

function fmt(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${Math.round(bytes / 2 ** 20)} MiB`;
}

function probeList(probes: readonly BackendProbe[]): string {
  return probes.map((p) => (p.ms === null ? `${p.backend} unavailable` : `${p.backend} ${p.ms.toFixed(1)} ms`)).join(', ');
}

/**
 * Chooses and starts a backend. Policy: a real (hardware) WebGPU adapter wins. A software fallback adapter
 * (SwiftShader) is several times slower than the CPU backend, so on `auto` it is passed over for the fastest
 * of WASM / WebGL / CPU, timed on a probe convolution; the reason is reported to the UI. A forced backend is
 * honoured when it can start; otherwise the reason says why another was used.
 */
export function initBackend(requested: BackendPreference, hooks: BackendHooks, wasmThreads?: number): Promise<BackendInfo> {
  return withWasmThreads(wasmThreads, () => chooseBackend(requested, hooks));
}

async function chooseBackend(requested: BackendPreference, hooks: BackendHooks): Promise<BackendInfo> {
  const isolated = Boolean((self as { crossOriginIsolated?: boolean }).crossOriginIsolated);
  hooks.onStage('looking for a WebGPU adapter');
  const probe = requested === 'auto' || requested === 'webgpu' ? await requestAdapter() : { adapter: null };
  const webgpuAvailable = probe.adapter !== null;
  const base = { requested, webgpuAvailable, crossOriginIsolated: isolated };
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const wasmFacts = (backend: BackendName) => (backend === 'wasm' ? { wasm: { simd, threads: getThreadsCount() } } : {});

  const useGpu = probe.adapter && probe.facts && (requested === 'webgpu' || !probe.facts.isFallbackAdapter);
  if (useGpu && probe.adapter && probe.facts) {
    hooks.onStage('starting WebGPU');
    const adapter = probe.adapter;
    const reinit = async () => {
      await startWebGpu(adapter, probe.facts as GpuAdapterFacts, hooks, reinit);
    };
    try {
      const gpu = await startWebGpu(adapter, probe.facts, hooks, reinit);
      const kind = gpu.isFallbackAdapter ? 'software fallback adapter, forced' : 'hardware adapter';
      return {
        ...base,
        backend: 'webgpu',
        gpu,
        probes: [],
        reason: `WebGPU on ${gpu.vendor || 'unknown vendor'} ${gpu.architecture || ''} (${kind}); storage bindings up to ${fmt(gpu.deviceMaxStorageBufferBindingSize)}.`,
        ...(gpu.isFallbackAdapter
          ? { notice: 'This WebGPU adapter is a software fallback (no GPU acceleration): expect it to be slow.' }
          : {}),
      };
    } catch (error) {
      const { chosen, probes } = await pickFastest(hooks);
      return {
        ...base,
        backend: chosen,
        gpu: probe.facts,
        probes,
        ...wasmFacts(chosen),
        reason: `WebGPU failed to start, so ${chosen} was chosen as the fastest of: ${probeList(probes)}.`,
        notice: `WebGPU could not start (${error instanceof Error ? error.message : String(error)}). Running on ${chosen}.`,
      };
    }
  }

  const forced = requested !== 'auto' && requested !== 'webgpu' ? requested : undefined;
  const { chosen, probes } = await pickFastest(hooks, forced);
  let reason: string;
  let notice: string | undefined;
  if (forced && chosen === forced) {
    reason = `${forced} was chosen in the settings (?backend=${forced}).`;
  } else if (forced) {
    reason = `${forced} was requested but could not start; ${chosen} was the fastest of: ${probeList(probes)}.`;
    notice = reason;
  } else if (probe.facts?.isFallbackAdapter) {
    reason = `The only WebGPU adapter is a software fallback (${probe.facts.architecture || probe.facts.vendor}), slower than the CPU; ${chosen} was the fastest of: ${probeList(probes)}.`;
    notice = 'No GPU acceleration: WebGPU here is a software fallback, so a CPU backend is used.';
  } else {
    const asked = requested === 'webgpu' ? 'WebGPU was requested but is not available; ' : '';
    reason = `${asked}${chosen} was the fastest of: ${probeList(probes)}.`;
    notice = `WebGPU is not available (${probe.error ?? 'no adapter'}). Segmentation runs on ${chosen}; use Chrome or Edge with WebGPU for GPU speed.`;
  }
  return { ...base, backend: chosen, ...(probe.facts ? { gpu: probe.facts } : {}), probes, ...wasmFacts(chosen), reason, ...(notice ? { notice } : {}) };
}
