import * as tf from '@tensorflow/tfjs';
import type { BackendHooks } from './backend';
import { initBackend } from './backend';
import type { Handlers } from './handle';
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
  return {
    init: async (params, ctx) => {
      const hooks: BackendHooks = { emit, onStage: (stage) => ctx.progress({ stage }) };
      return initBackend(params.backend, hooks);
    },

    selfTest: async ({ size, channels, seed }) => {
      const active = tf.getBackend() as BackendName;
      const start = performance.now();
      const onActive = await convOnActiveBackend(size, channels, seed);
      const ms = performance.now() - start;
      await tf.setBackend('cpu');
      let onCpu: Float32Array;
      try {
        onCpu = await convOnActiveBackend(size, channels, seed);
      } finally {
        await tf.setBackend(active);
      }
      let maxAbsDiff = 0;
      let outputSum = 0;
      for (let i = 0; i < onCpu.length; i++) {
        maxAbsDiff = Math.max(maxAbsDiff, Math.abs(onActive[i] - onCpu[i]));
        outputSum += Math.abs(onActive[i]);
      }
      if (onActive.length !== onCpu.length) maxAbsDiff = Number.POSITIVE_INFINITY;
      return { backend: active, maxAbsDiff, outputSum, ms };
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
