import { testHooksMessage } from './testHooks';
import type { CommandName, PartialAnswer, Params, Progress, Result, WorkerEvent, WorkerRequest, WorkerResponse } from './protocol';

/** Options of one call: cancellation, progress, and buffers to move (not copy) to the worker. */
export interface CallOptions<K extends CommandName> {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress<K>) => void;
  readonly transfer?: readonly ArrayBuffer[];
  /**
   * A cancel still rejects at once (the UI never waits on a tile in flight); when the worker then answers
   * the cancel with what it had finished (a segmentation's done tiles), this receives it. A job that
   * finished before the cancel reached the worker delivers nothing: cancelled means not done.
   */
  readonly onPartial?: (partial: Result<K>) => void;
}

/** The rejection of a cancelled call; `partial` is what the worker had finished, when it says so itself. */
export class CancelledError extends Error {
  override readonly name = 'AbortError';

  constructor(readonly partial?: PartialAnswer) {
    super('Cancelled');
  }
}

/** The main thread's typed bridge to the model worker: one promise per call. */
export interface WorkerClient {
  call<K extends CommandName>(type: K, params: Params<K>, options?: CallOptions<K>): Promise<Result<K>>;
  /** Subscribes to unsolicited worker events; returns the unsubscribe function. */
  onEvent(listener: (event: WorkerEvent) => void): () => void;
  terminate(): void;
}

/** The minimal Worker surface the client needs (a real Worker, or a fake in tests). */
export interface WorkerLike {
  postMessage(message: WorkerRequest, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerResponse>) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
  terminate(): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (progress: never) => void;
  cleanup(): void;
  /** Set once the call was cancelled and has rejected: only the worker's partial answer is still wanted. */
  onPartial?: (partial: PartialAnswer) => void;
}

function abortError(): Error {
  return new CancelledError();
}

/**
 * Creates the client around a worker made lazily on the first call (as Squoosh's worker bridge does).
 * Aborting a call sends `cancel` to the worker and rejects the promise at once with an AbortError; the
 * worker stops at its next check and its late answers are ignored.
 */
export function createWorkerClient(makeWorker: () => WorkerLike): WorkerClient {
  let worker: WorkerLike | null = null;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const listeners = new Set<(event: WorkerEvent) => void>();

  const onMessage = (event: MessageEvent<WorkerResponse>) => {
    const msg = event.data;
    if (msg.type === 'event') {
      for (const l of listeners) l(msg.event);
      return;
    }
    const entry = pending.get(msg.id);
    if (!entry) return;
    if (entry.onPartial) {
      if (msg.type === 'progress') return;
      pending.delete(msg.id);
      if (msg.type === 'cancelled' && msg.partial) entry.onPartial(msg.partial);
      return;
    }
    if (msg.type === 'progress') {
      entry.onProgress?.(msg.progress as never);
      return;
    }
    pending.delete(msg.id);
    entry.cleanup();
    if (msg.type === 'result') entry.resolve(msg.result);
    else if (msg.type === 'cancelled') entry.reject(new CancelledError(msg.partial));
    else entry.reject(Object.assign(new Error(msg.error.message), { name: msg.error.name }));
  };

  const ensure = (): WorkerLike => {
    if (worker) return worker;
    const w = makeWorker();
    w.addEventListener('message', onMessage);
    // An uncaught error leaves the worker in an unknown state (a job half done, a lease never released), so
    // it is replaced: pending calls reject at once, the next call starts a fresh worker, and listeners hear
    // of it so they can set the new one up (backend, models). Everything the page holds stays.
    w.addEventListener('error', (event: ErrorEvent) => {
      const reason = event.message || 'unknown error';
      const error = Object.assign(new Error(`The model worker crashed (${reason}); a new one is starting. Images and labels are kept: run the command again.`), {
        name: 'WorkerCrash',
      });
      for (const [id, entry] of pending) {
        pending.delete(id);
        entry.cleanup();
        entry.reject(error);
      }
      if (worker !== w) return;
      w.terminate();
      worker = null;
      for (const l of listeners) l({ kind: 'workerCrashed', message: reason });
    });
    worker = w;
    return w;
  };

  return {
    call<K extends CommandName>(type: K, params: Params<K>, options: CallOptions<K> = {}): Promise<Result<K>> {
      const { signal, onProgress, transfer = [], onPartial } = options;
      if (signal?.aborted) return Promise.reject(abortError());
      const w = ensure();
      const id = nextId++;
      return new Promise<Result<K>>((resolve, reject) => {
        const onAbort = () => {
          const entry = pending.get(id);
          if (!entry) return;
          w.postMessage({ type: 'cancel', id: nextId++, target: id }, []);
          reject(abortError());
          if (!onPartial) {
            pending.delete(id);
            return;
          }
          entry.cleanup();
          // The entry stays for the worker's answer to the cancel; only a partial answer of this command counts.
          entry.onPartial = (partial) => {
            if (partial.command === type) onPartial(partial.result as Result<K>);
          };
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        pending.set(id, {
          resolve: resolve as (value: unknown) => void,
          reject,
          onProgress: onProgress as ((progress: never) => void) | undefined,
          cleanup: () => signal?.removeEventListener('abort', onAbort),
        });
        w.postMessage({ type, id, params } as WorkerRequest, [...transfer]);
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    terminate() {
      worker?.terminate();
      worker = null;
      for (const entry of pending.values()) entry.reject(new Error('The model worker was stopped.'));
      pending.clear();
    },
  };
}

/** The app's model worker: a dedicated module worker bundled by Vite. */
export function createModelWorker(): WorkerLike {
  const worker = new Worker(new URL('./entry.ts', import.meta.url), { type: 'module', name: 'model-worker' });
  // Only a test sets the hooks (see testHooks.ts); they go first, before any command.
  const hooks = testHooksMessage();
  if (hooks) worker.postMessage(hooks);
  return worker as WorkerLike;
}
