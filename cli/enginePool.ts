/**
 * All cores in Node (`--workers N`): N worker threads, each with its own backend and engine
 * (cli/engineWorker.ts), behind the Engine interface. A segment call goes to an idle worker or waits for
 * one, so a tool that keeps N images in flight (forEachConcurrent) runs N at a time. One worker means no
 * thread at all: the engine runs in the calling thread, as before. Each worker's result is exactly what
 * that engine gives in one thread (tested: cli/enginePool.test.ts), since the same tiles meet the same
 * kernels in the same order.
 */
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { throwIfAborted } from '../src/model/abort';
import { MODEL_FILES, parseModelCard } from '../src/model/io';
import type { NodeBackendName } from './backend';
import { initNodeBackend } from './backend';
import { createEngine } from './engine';
import type { Engine, EngineKind, EngineResult } from './engine';
import type { EngineWorkerData, EngineWorkerReply, EngineWorkerRequest } from './engineWorker';

/**
 * `--workers` default: one worker, onnxruntime using every core as intra-op threads; measured against
 * one worker per core with one thread each (README, "All cores in Node").
 */
export const DEFAULT_WORKERS = 1;

export interface PoolOptions {
  readonly workers: number;
  /** Threads per worker for onnxruntime (default: the cores shared out, at least 1). */
  readonly threadsPerWorker?: number;
  readonly backend: NodeBackendName;
}

/** An engine and how many images it can take at once. */
export interface PooledEngine extends Engine {
  readonly workers: number;
}

interface Slot {
  readonly worker: Worker;
  busy: boolean;
}

/** Runs `task` over `items`, at most `limit` at a time; results in input order. */
export async function forEachConcurrent<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return results;
}

function startWorker(data: EngineWorkerData): Promise<{ worker: Worker; description: string }> {
  const worker = new Worker(new URL('./workerBoot.mjs', import.meta.url), { workerData: data });
  return new Promise((resolve, reject) => {
    const onMessage = (m: EngineWorkerReply) => {
      if (m.kind !== 'ready') return;
      worker.off('message', onMessage);
      worker.off('error', reject);
      resolve({ worker, description: m.description });
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}

/** Loads `modelDir` behind `kind` in `options.workers` worker threads (or in this thread for 1). */
export async function createEnginePool(kind: EngineKind, modelDir: string, options: PoolOptions): Promise<PooledEngine> {
  const workers = options.workers;
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${workers}`);
  const threads = options.threadsPerWorker ?? Math.max(1, Math.floor(os.availableParallelism() / workers));
  if (workers === 1) {
    await initNodeBackend(options.backend);
    return { ...(await createEngine(kind, modelDir, { threads })), workers: 1 };
  }
  const card = parseModelCard(JSON.parse(readFileSync(path.join(modelDir, MODEL_FILES.card), 'utf8')) as unknown);
  const entry = new URL('./engineWorker.ts', import.meta.url).href;
  const started = await Promise.all(
    Array.from({ length: workers }, () => startWorker({ entry, kind, modelDir, backend: options.backend, threads })),
  );
  const slots: Slot[] = started.map((s) => ({ worker: s.worker, busy: false }));
  const waiting: ((slot: Slot) => void)[] = [];
  const acquire = (): Promise<Slot> => {
    const free = slots.find((s) => !s.busy);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = (slot: Slot) => {
    const next = waiting.shift();
    if (next) next(slot);
    else slot.busy = false;
  };
  let nextId = 1;
  const segmentOn = (slot: Slot, request: EngineWorkerRequest): Promise<EngineResult> =>
    new Promise((resolve, reject) => {
      const onMessage = (m: EngineWorkerReply) => {
        if (m.kind === 'ready' || m.id !== request.id) return;
        slot.worker.off('message', onMessage);
        slot.worker.off('error', onError);
        if (m.kind === 'error') reject(new Error(m.message));
        else resolve({ probabilities: m.probabilities, width: m.width, height: m.height });
      };
      const onError = (e: Error) => {
        slot.worker.off('message', onMessage);
        reject(e);
      };
      slot.worker.on('message', onMessage);
      slot.worker.once('error', onError);
      slot.worker.postMessage(request);
    });
  return {
    kind,
    card,
    config: card.architecture,
    workers,
    description: `${workers} worker threads × ${started[0].description}`,
    async segment(plane, segmentOptions = {}) {
      const { signal, ...rest } = segmentOptions;
      throwIfAborted(signal, 'The segmentation');
      const slot = await acquire();
      try {
        return await segmentOn(slot, { id: nextId++, plane, options: rest });
      } finally {
        release(slot);
      }
    },
    async dispose() {
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
