import wasmMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import wasmBinaryUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import webgpuMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import webgpuBinaryUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import type { OrtEngine, OrtLoader, OrtModule } from './ortSessions';

/*
 * Loads onnxruntime-web in the model worker, from our own origin only. Each engine is a separate build
 * (WASM EP: ort.wasm; WebGPU EP: ort.webgpu, whose WASM runtime is the asyncify build), imported on first
 * use, so an app that never chooses ort pays nothing. Vite copies the Emscripten loaders (.mjs) and
 * binaries (.wasm) into the build as assets (so the service worker caches them with every other emitted
 * file), and `env.wasm.wasmPaths` points onnxruntime at them: without it, it would fetch them from a CDN,
 * which the Content-Security-Policy (and the privacy e2e) refuse. The pthreads of the threaded runtime are
 * module workers started from the same .mjs URL ('self' in worker-src).
 */

const assets: { readonly [E in OrtEngine]: { readonly mjs: string; readonly wasm: string } } = {
  'ort-wasm': { mjs: wasmMjsUrl, wasm: wasmBinaryUrl },
  'ort-webgpu': { mjs: webgpuMjsUrl, wasm: webgpuBinaryUrl },
};

const absolute = (url: string) => new URL(url, self.location.href).href;

/**
 * `threads()` is read once per engine, when it first loads: onnxruntime-web creates its thread pool with
 * the WebAssembly module and cannot change it afterwards. More than one thread needs cross-origin isolation.
 */
export function createBrowserOrtLoader(threads: () => number): OrtLoader {
  const loaded = new Map<OrtEngine, Promise<OrtModule>>();
  const load = async (engine: OrtEngine): Promise<OrtModule> => {
    const ort: OrtModule = engine === 'ort-webgpu' ? await import('onnxruntime-web/webgpu') : await import('onnxruntime-web/wasm');
    ort.env.wasm.wasmPaths = { mjs: absolute(assets[engine].mjs), wasm: absolute(assets[engine].wasm) };
    ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.max(1, threads()) : 1;
    // The model worker is already off the main thread; a proxy worker would only copy every tile twice.
    ort.env.wasm.proxy = false;
    ort.env.logLevel = 'error';
    return ort;
  };
  return (engine) => {
    let module = loaded.get(engine);
    if (!module) {
      module = load(engine);
      // A failed load may be retried later (the engine is marked failed by the caller meanwhile).
      module.catch(() => loaded.delete(engine));
      loaded.set(engine, module);
    }
    return module;
  };
}
