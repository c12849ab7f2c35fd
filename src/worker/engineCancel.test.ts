import * as tf from '@tensorflow/tfjs';
import { startModelWorker } from './inProcessWorker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../model/nodeBackend.node';
import { resolveRecipe } from '../model/recipeDefaults';
import { CancelledError, type WorkerClient } from './client';
import type { ModelSource, PlaneMessage, Result } from './protocol';

/*
 * Cancel returns what is finished: the real client, dispatcher, queue and segment handler with a tiny random
 * U-Net in this process. A segmentation cancelled after some tiles answers with those tiles (exactly what
 * a full run gives there, NaN elsewhere); the queue goes on serving the next job.
 */

const tiny: ModelSource = { kind: 'random', name: 'tiny', config: { depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 7 } };

function startWorker(): WorkerClient {
  return startModelWorker({ resolveRecipe }).client;
}

function picture(size: number): PlaneMessage {
  const data = new Float32Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) data[y * size + x] = 40 + 150 * Math.max(0, Math.sin(x / 5) * Math.cos(y / 9)) + ((x * 3 + y * 11) % 13);
  return { width: size, height: size, data };
}

const copy = (p: PlaneMessage): PlaneMessage => ({ width: p.width, height: p.height, data: p.data.slice() });
// 96x96 in 24 px output tiles: 16 tiles, one per batch (the budget is ignored when tileOutput is given).
const options = { tta: false, tileOutput: 24 };

describe('engine: cancel returns what is finished', () => {
  beforeAll(async () => {
    await initNodeBackend();
  });

  afterAll(() => {
    tf.disposeVariables();
  });

  it('a cancelled segmentation answers with its finished tiles, and the next job still runs', async () => {
    const client = startWorker();
    await client.call('loadModel', { id: 'tiny', source: tiny });
    const image = picture(96);
    const full = await client.call('segment', { modelId: 'tiny', image: copy(image), options });
    expect(full.partial).toBeUndefined();
    expect(full.tile.tiles).toBe(16);

    const controller = new AbortController();
    let progress = 0;
    let deliver: (partial: Result<'segment'>) => void = () => {};
    const arrived = new Promise<Result<'segment'>>((resolve) => (deliver = resolve));
    const error = await client
      .call('segment', { modelId: 'tiny', image: copy(image), options }, {
        signal: controller.signal,
        onPartial: deliver,
        onProgress: () => {
          if (++progress === 5) controller.abort();
        },
      })
      .catch((e: unknown) => e);
    // The call rejects at once; the finished tiles follow when the worker answers the cancel.
    expect(error).toBeInstanceOf(CancelledError);
    const partial = await arrived;
    expect(partial.partial).toBeDefined();
    const tilesDone = partial.partial!.tilesDone;
    expect(partial.partial!.tilesTotal).toBe(16);
    // The cancel lands between batches: at least the five reported tiles, never all of them.
    expect(tilesDone).toBeGreaterThanOrEqual(5);
    expect(tilesDone).toBeLessThan(16);
    let done = 0;
    partial.probabilities.forEach((p, k) => {
      if (Number.isNaN(p)) return;
      done++;
      expect(p).toBe(full.probabilities[k]);
    });
    expect(done).toBe(tilesDone * 24 * 24);

    const after = await client.call('segment', { modelId: 'tiny', image: copy(image), options });
    expect(Array.from(after.probabilities)).toEqual(Array.from(full.probabilities));
  });

  it('without onPartial a cancel rejects at once and carries nothing', async () => {
    const client = startWorker();
    await client.call('loadModel', { id: 'tiny', source: tiny });
    const controller = new AbortController();
    const run = client.call('segment', { modelId: 'tiny', image: picture(96), options }, { signal: controller.signal, onProgress: () => controller.abort() });
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as CancelledError).partial).toBeUndefined();
  });
});
