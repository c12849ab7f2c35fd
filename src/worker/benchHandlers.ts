import * as tf from '@tensorflow/tfjs';
import { syntheticSample } from '../model/syntheticDiscs';
import { trainSegmenter } from '../model/train';
import { createUnet } from '../model/unet';
import { outputSize } from '../model/validSize';
import type { Handlers } from './handle';
import { seededValues } from './probe';
import type { ProfiledKernel } from '../model/types';
import type { BackendName } from './protocol';

/**
 * In-browser model benchmark: forward time per tile at several tile sizes, and training time per step,
 * on the active backend. Runs in the worker so the numbers include everything the app pays for.
 */
export function createBenchHandlers(): Handlers {
  return {
    benchmarkModel: async ({ config, tileSizes, repeats, trainTile, trainSteps, profileTraining }, ctx) => {
      const backend = tf.getBackend() as BackendName;
      const segmenter = createUnet(config);
      const forward: { tile: number; outTile: number; msPerTile: number; mpxPerS: number; peakBytes: number }[] = [];
      let training: { tile: number; steps: number; msPerStep: number } | null = null;
      let trainingKernels: ProfiledKernel[] | undefined;
      let profiledStepMs: number | undefined;
      try {
        for (const tile of tileSizes) {
          if (ctx.signal.aborted) throw Object.assign(new Error('Cancelled'), { name: 'AbortError' });
          const x = tf.tensor4d(seededValues(tile * tile, tile), [1, tile, tile, 1]);
          try {
            const once = async () => {
              const y = segmenter.predictTile(x);
              await y.data();
              y.dispose();
            };
            // The warm-up run is profiled for its peak memory (it also compiles shaders / XNNPACK operators).
            const profile = await tf.profile(once);
            const start = performance.now();
            for (let i = 0; i < repeats; i++) await once();
            const ms = (performance.now() - start) / repeats;
            const out = outputSize(config, tile);
            forward.push({ tile, outTile: out, msPerTile: ms, mpxPerS: (out * out) / (ms * 1e3), peakBytes: profile.peakBytes });
            ctx.progress({ stage: `forward ${tile}px: ${ms.toFixed(1)} ms` });
          } finally {
            x.dispose();
          }
        }
        if (trainSteps > 0) {
          // One untimed step first: it creates optimizer slots and compiles kernels.
          const sample = syntheticSample(Math.max(trainTile + 40, 300));
          await trainSegmenter(segmenter, [sample], { steps: 1, tileSize: trainTile, seed: 1 });
          const result = await trainSegmenter(segmenter, [sample], { steps: trainSteps, tileSize: trainTile, seed: 2, skipSmokeTest: true, signal: ctx.signal });
          training = { tile: trainTile, steps: result.steps, msPerStep: result.msPerStep };
          ctx.progress({ stage: `training: ${result.msPerStep.toFixed(0)} ms/step` });
          if (profileTraining) {
            const start = performance.now();
            const profile = await tf.profile(async () => {
              await trainSegmenter(segmenter, [sample], { steps: 1, tileSize: trainTile, seed: 3, skipSmokeTest: true, signal: ctx.signal });
              return [];
            });
            profiledStepMs = performance.now() - start;
            trainingKernels = profile.kernels
              .filter((k) => !k.name.includes('__op'))
              .map((k) => ({ name: k.name, inputShapes: k.inputShapes, outShape: k.outputShapes[0] ?? [], ms: Number(k.kernelTimeMs) }));
          }
        }
      } finally {
        segmenter.dispose();
      }
      return { backend, forward, training, trainingKernels, profiledStepMs };
    },
  };
}
