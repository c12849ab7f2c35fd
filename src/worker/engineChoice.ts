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
 * The default per tfjs backend, from `npm run bench:compare` (README, "onnxruntime-web in the app"). Before
 * the WASM kernel rewrite onnxruntime-web's WASM EP was 1.1-1.5x faster than our tfjs-wasm path in the app's
 * worker, so it ran inference on CPU backends; re-measured after it, the two are at parity (geometric mean
 * of the 8 time ratios 1.00 under load, tfjs 1.3x faster with 2 threads on the quiet run), and onnxruntime
 * costs a runtime start and an ONNX export per weights revision (+0.7 s on the quiet warm-up, again after
 * every fine-tune). The issue adopts it only if faster, so tfjs runs by default everywhere; the ort engines
 * stay selectable. On a GPU backend onnxruntime-web's WebGPU EP has not been measured on a real GPU.
 */
export const AUTO_ENGINE: { readonly [B in BackendName]: InferenceEngineName } = {
  webgpu: 'tfjs',
  webgl: 'tfjs',
  wasm: 'tfjs',
  cpu: 'tfjs',
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
