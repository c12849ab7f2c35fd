/**
 * One job at a time in the model worker. Every request that touches tensors runs as a job of this queue,
 * in arrival order, so a segmentation can never run while a training step has half-updated weights and a
 * model is never disposed under a job that uses it.
 *
 * A long job (a fine-tune) calls `yieldToWaiting()` at its safe points (between training steps): waiting
 * jobs marked 'interleave' (a segmentation, a model load) then run to completion before it continues, so
 * they do not wait minutes and they see consistent weights. 'exclusive' jobs (another fine-tune, a backend
 * switch, a self-test) wait until the running job has finished.
 *
 * Plain TypeScript without tfjs, so the ordering rules are unit-tested in Node.
 */

/** How a job shares the worker: waits for the running job, or may run at its safe points. */
export type JobMode = 'exclusive' | 'interleave';

export interface JobOptions {
  /** Shown in diagnostics ("segment #12"). */
  readonly label: string;
  readonly mode: JobMode;
  /** Aborting a job that still waits removes it from the queue (its promise rejects with an AbortError). */
  readonly signal?: AbortSignal;
}

/** What runs and what waits, for diagnostics and tests. */
export interface QueueSnapshot {
  readonly running: readonly string[];
  readonly waiting: readonly string[];
}

export interface JobQueue {
  /** Runs `job` once every job before it has finished (or at a safe point of the running job, see above). */
  run<T>(job: (signal: AbortSignal) => Promise<T>, options: JobOptions): Promise<T>;
  /**
   * Called by the running job at a safe point: runs the 'interleave' jobs waiting now, one after another,
   * and resolves when they are done. A no-op when called from inside such an interleaved job.
   */
  yieldToWaiting(): Promise<void>;
  snapshot(): QueueSnapshot;
}

interface Entry {
  readonly label: string;
  readonly mode: JobMode;
  /** Runs the job and settles the caller's promise; never rejects. */
  execute(): Promise<void>;
  /** Detaches the abort listener once the job has started. */
  started(): void;
}

function abortError(label: string): Error {
  return Object.assign(new Error(`${label} was cancelled before it started`), { name: 'AbortError' });
}

export function createJobQueue(): JobQueue {
  const waiting: Entry[] = [];
  const running: string[] = [];
  let busy = false;
  let yielding = false;

  const start = async (entry: Entry): Promise<void> => {
    entry.started();
    running.push(entry.label);
    try {
      await entry.execute();
    } finally {
      running.splice(running.lastIndexOf(entry.label), 1);
    }
  };

  const pump = (): void => {
    if (busy) return;
    const next = waiting.shift();
    if (!next) return;
    busy = true;
    void start(next).finally(() => {
      busy = false;
      pump();
    });
  };

  return {
    run<T>(job: (signal: AbortSignal) => Promise<T>, options: JobOptions): Promise<T> {
      const { label, mode, signal } = options;
      if (signal?.aborted) return Promise.reject(abortError(label));
      return new Promise<T>((resolve, reject) => {
        const local = signal ?? new AbortController().signal;
        const onAbort = () => {
          const index = waiting.indexOf(entry);
          if (index < 0) return;
          waiting.splice(index, 1);
          reject(abortError(label));
        };
        const entry: Entry = {
          label,
          mode,
          execute: () => job(local).then(resolve, reject),
          started: () => signal?.removeEventListener('abort', onAbort),
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiting.push(entry);
        pump();
      });
    },

    async yieldToWaiting() {
      if (yielding || !busy) return;
      yielding = true;
      try {
        // Only the jobs waiting now: a stream of new requests must not starve the running job.
        const due = waiting.filter((e) => e.mode === 'interleave');
        for (const entry of due) {
          const index = waiting.indexOf(entry);
          if (index < 0) continue;
          waiting.splice(index, 1);
          await start(entry);
        }
      } finally {
        yielding = false;
      }
    },

    snapshot: () => ({ running: [...running], waiting: waiting.map((e) => e.label) }),
  };
}
