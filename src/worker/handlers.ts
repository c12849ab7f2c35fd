import * as tf from '@tensorflow/tfjs';
import type { BackendHooks } from './backend';
import { initBackend } from './backend';
import { fineTune, resolveRecipe } from '../model/fineTune';
import { createBenchHandlers } from './benchHandlers';
import { createExportHandlers } from './exportHandlers';
import { createLibraryHandlers } from './libraryHandlers';
import { createFineTuneHandlers, type FineTuneFn } from './fineTuneHandlers';
import type { Handlers } from './handle';
import { createModelHandlers, restoreWeights, segmentSeededPlane, snapshotWeights, workerModel, type ModelState, type WeightSnapshot, type WorkerModel } from './modelHandlers';
import { createModelRegistry } from './modelRegistry';
import { runOpChecks } from './opChecks';
import { createOrtSessions } from './ortSessions';
import { createBrowserOrtLoader } from './ortWeb';
import { convOnActiveBackend } from './probe';
import type { BackendName, WorkerEvent } from './protocol';

function abortError(): Error {
  return Object.assign(new Error('Cancelled'), { name: 'AbortError' });
}

/**
 * The worker's command handlers. Kept apart from the dispatcher (pure, tested in Node) and from the entry
 * (one line), so each piece has one job. `trainer` replaces the fine-tune (tests).
 */
export function createHandlers(emit: (event: WorkerEvent) => void, trainer: FineTuneFn = fineTune): Handlers {
  // onnxruntime-web gets the WASM backend's thread count (same threads for either engine), else one per core.
  const ortThreads = () => state.backend?.wasm?.threads ?? self.navigator.hardwareConcurrency;
  const inference = { sessions: createOrtSessions(createBrowserOrtLoader(ortThreads)), failed: new Map(), webgpu: 'gpu' in self.navigator };
  const state: ModelState = { registry: createModelRegistry<WorkerModel>(), backend: null, resolveRecipe, inference };
  return {
    ...createModelHandlers(state),
    ...createFineTuneHandlers(state, trainer),
    ...createExportHandlers(state),
    ...createLibraryHandlers(state),
    ...createBenchHandlers(),

    init: async (params, ctx) => {
      const hooks: BackendHooks = { emit, onStage: (stage) => ctx.progress({ stage }) };
      // Every model of the session is carried over to the new backend through an asynchronous read of its
      // weights. The queue runs init alone, so no job holds a model meanwhile.
      const ids = state.registry.ids();
      const snapshots: WeightSnapshot[] = [];
      for (const id of ids) snapshots.push(await snapshotWeights((state.registry.peek(id) as WorkerModel).segmenter));
      for (const id of ids) state.registry.peek(id)?.dispose();
      state.backend = await initBackend(params.backend, hooks, params.wasmThreads);
      ids.forEach((id, k) => {
        const old = state.registry.peek(id) as WorkerModel;
        // The old value's tensors were disposed above, before the backend changed.
        state.registry.swap(id, workerModel(restoreWeights(snapshots[k]), old.card, old.random, old.revision, old.tuning, snapshots[k]));
      });
      return state.backend;
    },

    selfTest: async ({ target, size, channels, seed, modelId }) => {
      const active = tf.getBackend() as BackendName;
      const loaded = modelId ? state.registry.peek(modelId) : undefined;
      if (target === 'model' && (!modelId || !loaded)) throw new Error('No model is loaded: choose one in the model panel first.');
      const snapshot = target === 'model' && loaded ? await snapshotWeights(loaded.segmenter) : undefined;
      const run = (reference: boolean): Promise<Float32Array> =>
        target === 'model' && modelId
          ? segmentSeededPlane(state, modelId, size, seed, reference ? snapshot : undefined)
          : convOnActiveBackend(size, channels, seed);
      const start = performance.now();
      const onActive = await run(false);
      const ms = performance.now() - start;
      await tf.setBackend('cpu');
      let onCpu: Float32Array;
      try {
        onCpu = await run(true);
      } finally {
        await tf.setBackend(active);
      }
      let perOp: Record<string, number> | undefined;
      if (target === 'model') {
        const a = await runOpChecks();
        await tf.setBackend('cpu');
        const b = await runOpChecks();
        await tf.setBackend(active);
        perOp = {};
        for (const k of Object.keys(a)) perOp[k] = Math.max(...a[k].map((v, i) => Math.abs(v - b[k][i])));
      }
      let maxAbsDiff = 0;
      let outputSum = 0;
      for (let i = 0; i < onCpu.length; i++) {
        maxAbsDiff = Math.max(maxAbsDiff, Math.abs(onActive[i] - onCpu[i]));
        outputSum += Math.abs(onActive[i]);
      }
      if (onActive.length !== onCpu.length) maxAbsDiff = Number.POSITIVE_INFINITY;
      return { target, backend: active, maxAbsDiff, outputSum, ms, ...(perOp ? { perOp } : {}) };
    },

    benchmark: async ({ durationMs, size }, ctx) => {
      const backend = tf.getBackend() as BackendName;
      const channels = 16;
      const start = performance.now();
      let iterations = 0;
      let elapsed = 0;
      while (elapsed < durationMs) {
        if (ctx.signal.aborted) throw abortError();
        await convOnActiveBackend(size, channels, iterations);
        iterations++;
        elapsed = performance.now() - start;
        ctx.progress({ elapsedMs: elapsed, iterations });
      }
      const out = size - 2;
      const flops = 2 * out * out * 9 * channels * channels * iterations;
      return { backend, iterations, ms: elapsed, gflops: flops / (elapsed * 1e6) };
    },
  };
}
