import * as tf from '@tensorflow/tfjs';
import { startModelWorker } from './inProcessWorker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingRecipe } from '../model/recipe';
import { createWorkerClient, type WorkerClient } from './client';
import { isDeviceLostError, raceDeviceLoss, signalDeviceLoss, whenDeviceLost } from './deviceLoss';
import { installTestHooks } from './faults';
import { type ModelState } from './modelHandlers';
import type { ModelSource, WorkerEvent, WorkerRequest } from './protocol';

/*
 * Faults in the worker path (issue 12), in Node with the real dispatcher, handlers and a real tfjs model:
 * an out-of-memory error on the first tile makes the worker segment with smaller tiles and the same
 * output; a crashed worker rejects its pending calls with a clear message and the next call gets a new one.
 */

const tiny: ModelSource = { kind: 'random', name: 'tiny', config: { depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 5 } };

function startWorker(): { client: WorkerClient; state: ModelState } {
  return startModelWorker({ resolveRecipe: () => ({}) as TrainingRecipe });
}

function image(width: number, height: number): { width: number; height: number; data: Float32Array } {
  return { width, height, data: Float32Array.from({ length: width * height }, (_, i) => ((i * 7919) % 251) / 250) };
}

describe('out of memory on a tile, in the worker', () => {
  let client: WorkerClient;
  let state: ModelState;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    ({ client, state } = startWorker());
    await client.call('loadModel', { id: 'tiny', source: tiny });
  });
  afterAll(() => {
    for (const id of state.registry.ids()) state.registry.remove(id);
  });

  it('backs off to smaller tiles and answers the same probabilities as a run without the fault', async () => {
    const options = { tileOutput: 64, tta: false };
    const normal = await client.call('segment', { modelId: 'tiny', image: image(90, 70), options });
    expect(normal.tile.backoffs).toBe(0);
    const tensors = tf.memory().numTensors;
    installTestHooks({ oomOnFirstTile: true });
    const faulty = await client.call('segment', { modelId: 'tiny', image: image(90, 70), options });
    expect(faulty.tile.backoffs).toBe(1);
    expect(faulty.tile.outputSize).toBeLessThan(normal.tile.outputSize);
    expect(faulty.tile.tiles).toBeGreaterThan(normal.tile.tiles);
    let maxDiff = 0;
    for (let i = 0; i < normal.probabilities.length; i++) maxDiff = Math.max(maxDiff, Math.abs(normal.probabilities[i] - faulty.probabilities[i]));
    expect(maxDiff).toBeLessThan(1e-5);
    expect(tf.memory().numTensors).toBe(tensors);
    // The hook fired once: the next run is normal again.
    const again = await client.call('segment', { modelId: 'tiny', image: image(90, 70), options });
    expect(again.tile.backoffs).toBe(0);
  });
});

describe('a crashed model worker', () => {
  it('rejects pending calls with a clear message, tells listeners, and the next call starts a new worker', async () => {
    const workers: { error?: (event: ErrorEvent) => void; posted: WorkerRequest[]; terminated: boolean }[] = [];
    const client = createWorkerClient(() => {
      const w: (typeof workers)[number] = { posted: [], terminated: false };
      workers.push(w);
      return {
        postMessage: (message: WorkerRequest) => void w.posted.push(message),
        addEventListener: (type: string, listener: unknown) => {
          if (type === 'error') w.error = listener as (event: ErrorEvent) => void;
        },
        terminate: () => {
          w.terminated = true;
        },
      };
    });
    const events: WorkerEvent[] = [];
    client.onEvent((e) => events.push(e));
    const pending = client.call('segment', { modelId: 'm', image: image(4, 4), options: { tta: false } });
    workers[0].error?.({ message: 'Uncaught Error: boom' } as ErrorEvent);
    await expect(pending).rejects.toThrow(/^The model worker crashed \(Uncaught Error: boom\); a new one is starting\. Images and labels are kept: run the command again\.$/);
    expect(workers[0].terminated).toBe(true);
    expect(events).toEqual([{ kind: 'workerCrashed', message: 'Uncaught Error: boom' }]);
    void client.call('describeModel', { id: 'm' }).catch(() => undefined);
    expect(workers).toHaveLength(2);
    expect(workers[1].posted[0].type).toBe('describeModel');
  });
});

describe('a computation racing a device loss', () => {
  it('a hung computation ends with a DeviceLostError when the device is lost', async () => {
    const race = raceDeviceLoss(new Promise<number>(() => {}), whenDeviceLost());
    signalDeviceLoss(Promise.resolve());
    await expect(race).rejects.toSatisfy(isDeviceLostError);
  });

  it('a read that fails just before the loss is reported counts as the loss; other failures stay their own', async () => {
    const lost = whenDeviceLost();
    const failed = raceDeviceLoss(Promise.reject(new Error('mapAsync failed')), lost);
    setTimeout(() => signalDeviceLoss(Promise.resolve()), 50);
    await expect(failed).rejects.toSatisfy(isDeviceLostError);
    await expect(raceDeviceLoss(Promise.reject(new Error('shape mismatch')), whenDeviceLost())).rejects.toThrow('shape mismatch');
    await expect(raceDeviceLoss(Promise.resolve(7), whenDeviceLost())).resolves.toBe(7);
  });
});
