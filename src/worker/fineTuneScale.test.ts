import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { normalizePlane } from '../image/normalize';
import type { FineTuneOptions, FineTuneResult, FineTuneSample } from '../model/fineTuneTypes';
import { segmentScaled } from '../model/objectScale';
import type { TrainingRecipe } from '../model/recipe';
import { segmentPlane } from '../model/segment';
import type { Segmenter } from '../model/types';
import { createFineTuneHandlers, type FineTuneFn } from './fineTuneHandlers';
import { startModelWorker } from './inProcessWorker';
import type { FineTuneEvent, ModelSource, PreviewRegion } from './protocol';

/*
 * The worker's fine-tune trains each image at the scale it is segmented at (FineTuneImage.scale), through
 * the real dispatcher, handlers and client in this process; the trainer is a fake that records its samples
 * and previews once.
 */

const tiny: ModelSource = { kind: 'random', name: 'tiny', config: { depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 3 } };
const recipe = { fineTune: { optimizer: 'adam', learningRate: 1e-4, schedule: 'constant', steps: 1, distillation: 0, encoderLrScale: 1, validationFraction: 0.2, validateEvery: 1, patience: 0 } } as TrainingRecipe;

function recordingTrainer(seen: FineTuneSample[][]): FineTuneFn {
  return async (segmenter: Segmenter, samples: readonly FineTuneSample[], options: FineTuneOptions): Promise<FineTuneResult> => {
    seen.push([...samples]);
    await options.onPreview?.(1, segmenter);
    const score = { loss: 0.5, pixelAccuracy: 0.5, foregroundIou: 0.5, pixels: 1 };
    const settings = { ...options.recipe.fineTune, ...options.overrides };
    return { steps: 1, aborted: false, stoppedEarly: false, before: score, after: score, bestStep: 1, kept: 'tuned', message: 'fake', msPerStep: 1, tileSize: 44, outputTileSize: 4, settings };
  };
}

const S = 64;
const picture = () => ({ width: S, height: S, data: Float32Array.from({ length: S * S }, (_, i) => 100 + 80 * Math.sin((i % S) / 5) * Math.cos(Math.floor(i / S) / 7)) });

/** Background on the top 8 rows, foreground on rows 30-33 (whole 2x2 footprints at scale 0.5). */
function paint(): Uint8Array {
  const labels = new Uint8Array(S * S);
  labels.fill(1, 0, S * 8);
  labels.fill(2, S * 30, S * 34);
  return labels;
}

describe('fine-tune at the object scale (worker)', () => {
  it('trains and previews an image at the scale it is segmented at; an image without a scale stays as it is', async () => {
    const seen: FineTuneSample[][] = [];
    const { client, state } = startModelWorker({ resolveRecipe: () => recipe, families: [(s) => createFineTuneHandlers(s, recordingTrainer(seen))] });
    await client.call('loadModel', { id: 'tiny', source: tiny });
    const tensors = tf.memory().numTensors;
    const range = { min: 20, max: 180 };
    const preview: PreviewRegion = { imageId: 'a', x: 0, y: 0, plane: picture(), inner: { x: 0, y: 0, width: S, height: S }, range };
    const events: FineTuneEvent[] = [];
    await client.call(
      'fineTune',
      {
        runId: 'r1', parentId: 'tiny', modelId: 'tiny~1', name: 'tuned', seed: 1, overrides: {}, previewEvery: 1, preview,
        images: [
          { imageId: 'a', name: 'a.png', image: picture(), labels: paint(), scale: 0.5 },
          { imageId: 'b', name: 'b.png', image: picture(), labels: paint() },
        ],
      },
      { onProgress: (e) => events.push(e) },
    );
    const [a, b] = seen[0];
    expect([a.image.width, a.image.height]).toEqual([S / 2, S / 2]);
    const expected = new Uint8Array((S / 2) * (S / 2));
    expected.fill(1, 0, (S / 2) * 4);
    expected.fill(2, (S / 2) * 15, (S / 2) * 17);
    expect(Array.from(a.labels)).toEqual(Array.from(expected));
    expect([b.image.width, b.image.height]).toEqual([S, S]);
    expect(Array.from(b.labels)).toEqual(Array.from(paint()));

    // The preview of image a is the tuned model's map at scale 0.5, mapped back to the crop.
    const shown = events.find((e): e is Extract<FineTuneEvent, { kind: 'preview' }> => e.kind === 'preview');
    const tuned = state.registry.peek('tiny~1')!.segmenter;
    const run = async (p: Parameters<typeof segmentPlane>[1]) => (await segmentPlane(tuned, p, { foregroundClass: 1 })).probabilities;
    const plane = normalizePlane(picture(), { mode: 'fixed', ...range });
    const atHalf = await segmentScaled(run, plane, 0.5);
    const atOne = await run(plane);
    const diff = (x: Float32Array, y: Float32Array) => x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);
    expect(shown?.probabilities.length).toBe(S * S);
    expect(diff(shown!.probabilities, atHalf.probabilities)).toBeLessThan(1e-6);
    expect(diff(shown!.probabilities, atOne)).toBeGreaterThan(1e-3);
    for (const id of state.registry.ids()) state.registry.remove(id);
    expect(tf.memory().numTensors).toBeLessThanOrEqual(tensors);
  });
});
