import * as tf from '@tensorflow/tfjs';
import type { BackendHooks } from './backend';
import { initBackend } from './backend';
import type { Handlers } from './handle';
import { createModelHandlers, restoreWeights, segmentSeededPlane, snapshotWeights, type ModelState } from './modelHandlers';
import { runOpChecks } from './opChecks';
import { createBenchHandlers } from './benchHandlers';
import { createTrainHandlers } from './trainHandlers';
import { convOnActiveBackend } from './probe';
import type { BackendName, WorkerEvent } from './protocol';

function abortError(): Error {
  return Object.assign(new Error('Cancelled'), { name: 'AbortError' });
}

/**
 * The worker's command handlers. Kept apart from the dispatcher (pure, tested in Node) and from the entry
 * (one line), so each piece has one job.
 */
export function createHandlers(emit: (event: WorkerEvent) => void): Handlers {
  const state: ModelState = { segmenter: null, card: null, random: false, backend: null };
  return {
    ...createModelHandlers(state),
    ...createTrainHandlers(state),
    ...createBenchHandlers(),

    init: async (params, ctx) => {
      const hooks: BackendHooks = { emit, onStage: (stage) => ctx.progress({ stage }) };
      // A loaded model is carried over to the new backend through an asynchronous read of its weights.
      const snapshot = state.segmenter ? await snapshotWeights(state.segmenter) : null;
      state.segmenter?.dispose();
      state.segmenter = null;
      state.backend = await initBackend(params.backend, hooks);
      if (snapshot) state.segmenter = restoreWeights(snapshot);
      return state.backend;
    },

    selfTest: async ({ target, size, channels, seed }) => {
      const active = tf.getBackend() as BackendName;
      const snapshot = target === 'model' && state.segmenter ? await snapshotWeights(state.segmenter) : undefined;
      const run = (reference: boolean): Promise<Float32Array> =>
        target === 'model'
          ? segmentSeededPlane(state, size, seed, reference ? snapshot : undefined)
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
