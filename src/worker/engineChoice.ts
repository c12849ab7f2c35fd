import type { BackendName, InferenceEngineName, InferenceEnginePreference } from './protocol';

/*
 * Which engine runs a segmentation's forward passes. Pure (no tfjs, no onnxruntime), so the policy is
 * unit-tested. `auto` takes the engine measured fastest for the active tfjs backend (bench/compare.ts,
 * README "onnxruntime-web in the app"); an engine the browser cannot run falls back to the next one, and
 * the reason says so.
 */

/** What the worker knows when it chooses. */
export interface EngineContext {
  /** The active tfjs backend (null before init). */
  readonly backend: BackendName | null;
  /** navigator.gpu exists in the worker. */
  readonly webgpu: boolean;
  /** Engines that already failed to start in this worker, with the error: they are not tried again. */
  readonly failed: ReadonlyMap<InferenceEngineName, string>;
}

export interface EngineChoice {
  readonly engine: InferenceEngineName;
  /** One sentence for the UI. */
  readonly reason: string;
}

/**
 * The default per tfjs backend, from `npm run bench:compare` (README, "onnxruntime-web in the app"): in the
 * app's worker onnxruntime-web's WASM EP ran the shipped models faster than our tfjs-wasm path with the same
 * threads (1 and 2) on 512² and 1024² EM images, so on the CPU-side backends it runs inference. On a GPU
 * backend tfjs stays: onnxruntime-web's WebGPU EP has not been measured on a real GPU (SwiftShader did not
 * finish). Re-measure after changes to the tfjs kernels before trusting this table.
 */
export const AUTO_ENGINE: { readonly [B in BackendName]: InferenceEngineName } = {
  webgpu: 'tfjs',
  webgl: 'tfjs',
  wasm: 'ort-wasm',
  cpu: 'ort-wasm',
};

/** Where an engine that cannot run falls back to. */
const FALLBACK: { readonly [E in InferenceEngineName]: InferenceEngineName | null } = {
  'ort-webgpu': 'ort-wasm',
  'ort-wasm': 'tfjs',
  tfjs: null,
};

function unavailable(engine: InferenceEngineName, context: EngineContext): string | null {
  const failed = context.failed.get(engine);
  if (failed !== undefined) return `${engine} could not start (${failed})`;
  if (engine === 'ort-webgpu' && !context.webgpu) return 'ort-webgpu needs WebGPU, which this browser does not offer';
  return null;
}

/** The engine for one segmentation under the user's preference. */
export function chooseEngine(preference: InferenceEnginePreference, context: EngineContext): EngineChoice {
  let engine: InferenceEngineName = preference === 'auto' ? AUTO_ENGINE[context.backend ?? 'cpu'] : preference;
  const why: string[] = [];
  for (let problem = unavailable(engine, context); problem !== null; problem = unavailable(engine, context)) {
    const next = FALLBACK[engine];
    // tfjs is what the worker runs on; it has no fallback and is never marked failed.
    if (next === null) break;
    why.push(`${problem}, so ${next} runs instead`);
    engine = next;
  }
  if (why.length > 0) return { engine, reason: `${why.join('; ')}.` };
  if (preference === 'auto') return { engine, reason: `${engine}: the measured default for the ${context.backend ?? 'cpu'} backend.` };
  return { engine, reason: `${engine}, as chosen in the settings.` };
}
