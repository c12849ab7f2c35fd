import { inferenceEngineNames, type InferenceEngineName, type InferenceEnginePreference } from '../worker/protocol';

/**
 * The inference-engine setting (`?engine=tfjs|ort-wasm|ort-webgpu`, or the settings menu): a plain string
 * that travels with every segment request; the worker decides what runs (src/worker/engineChoice.ts).
 */
export function engineFromUrl(search: string | undefined = globalThis.location?.search): InferenceEnginePreference {
  const value = new URLSearchParams(search ?? '').get('engine');
  return value !== null && (inferenceEngineNames as readonly string[]).includes(value) ? (value as InferenceEngineName) : 'auto';
}

/** Puts the setting into the URL (without reloading), so a reload keeps it; 'auto' leaves the URL clean. */
export function engineToUrl(engine: InferenceEnginePreference): void {
  const url = new URL(window.location.href);
  if (engine === 'auto') url.searchParams.delete('engine');
  else url.searchParams.set('engine', engine);
  window.history.replaceState(null, '', url);
}
