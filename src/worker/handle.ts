import { createJobQueue, type JobMode, type JobQueue } from './jobQueue';
import type {
  CommandName,
  Params,
  PartialAnswer,
  Progress,
  Result,
  WorkerErrorInfo,
  WorkerResponse,
} from './protocol';

/** What a command handler gets besides its parameters. */
export interface HandlerContext<K extends CommandName> {
  /** Aborted when the main thread cancels this request; check it between units of work. */
  readonly signal: AbortSignal;
  /** Sends a progress message for this request; `transfer` buffers of the payload are moved, not copied. */
  progress(payload: Progress<K>, transfer?: readonly ArrayBuffer[]): void;
  /** Marks buffers of the result for the transfer list (moved, not copied, to the main thread). */
  transfer(...buffers: ArrayBuffer[]): void;
  /**
   * A safe point of a long job (between training steps): waiting 'interleave' jobs run now, on consistent
   * weights, and the call resolves when they are done.
   */
  yieldToWaiting(): Promise<void>;
}

export type Handler<K extends CommandName> = (params: Params<K>, ctx: HandlerContext<K>) => Promise<Result<K>>;

/** One handler per command. Partial so tests (and staged start-up) can serve a subset. */
export type Handlers = { [K in CommandName]?: Handler<K> };

/** Posts a response with its transfer list (self.postMessage in the worker, a spy in tests). */
export type Post = (message: WorkerResponse, transfer: ArrayBuffer[]) => void;

/**
 * How a command shares the worker: 'exclusive' and 'interleave' run as jobs of the queue (see jobQueue.ts);
 * 'immediate' commands touch no tensors (stop a fine-tune, send it new labels) and run at once, even
 * while a job is running.
 */
export type CommandMode = JobMode | 'immediate';

export interface DispatcherOptions {
  /** Mode per command; commands not listed are 'exclusive'. */
  readonly modes?: { readonly [K in CommandName]?: CommandMode };
  /** The queue (injected by tests to look inside); default a new one. */
  readonly queue?: JobQueue;
}

/**
 * Thrown by a handler whose job was cancelled after finishing part of its work: the dispatcher answers
 * `cancelled` with this partial result (its buffers transferred) instead of discarding it.
 */
export class CancelledWithResult<K extends CommandName> extends Error {
  override readonly name = 'AbortError';

  constructor(
    readonly command: K,
    readonly result: Result<K>,
    readonly buffers: readonly ArrayBuffer[] = [],
  ) {
    super(`${command} was cancelled; its finished part is kept`);
  }
}

/** True for errors that mean "stopped because cancelled" (DOMException or our own AbortError). */
export function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

function describe(error: unknown): WorkerErrorInfo {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * The pure dispatcher: validates a raw message, runs its handler with an AbortSignal as a job of the queue
 * (or at once for 'immediate' commands), and posts exactly one terminal response (result, error or
 * cancelled) per request. Cancelling a request that still waits in the queue removes it. It never throws:
 * a malformed or unknown message gets an `error` response, so a bad message cannot take the worker down.
 * Pure TypeScript, so it is unit-tested in Node without a Worker.
 */
export function createDispatcher(handlers: Handlers, post: Post, options: DispatcherOptions = {}): (message: unknown) => Promise<void> {
  const running = new Map<number, AbortController>();
  const queue = options.queue ?? createJobQueue();

  return async function handle(message: unknown): Promise<void> {
    if (!isRecord(message) || typeof message.type !== 'string') {
      post({ type: 'error', id: -1, error: { name: 'ProtocolError', message: 'Malformed message: expected an object with a string "type".' } }, []);
      return;
    }
    const id = typeof message.id === 'number' ? message.id : -1;
    if (message.type === 'cancel') {
      const target = typeof message.target === 'number' ? message.target : -1;
      running.get(target)?.abort();
      return;
    }
    const type = message.type as CommandName;
    const handler = Object.prototype.hasOwnProperty.call(handlers, type) ? handlers[type] : undefined;
    if (!handler) {
      const known = Object.keys(handlers).join(', ');
      post({ type: 'error', id, error: { name: 'UnknownCommand', message: `Unknown request type "${message.type}". The worker understands: ${known}.` } }, []);
      return;
    }
    if (id < 0) {
      post({ type: 'error', id, error: { name: 'ProtocolError', message: `Request "${type}" has no numeric id.` } }, []);
      return;
    }
    const controller = new AbortController();
    running.set(id, controller);
    const transfer: ArrayBuffer[] = [];
    const ctx: HandlerContext<CommandName> = {
      signal: controller.signal,
      progress: (payload, buffers = []) => {
        if (!controller.signal.aborted) post({ type: 'progress', id, command: type, progress: payload } as WorkerResponse, [...buffers]);
      },
      transfer: (...buffers) => transfer.push(...buffers),
      yieldToWaiting: () => queue.yieldToWaiting(),
    };
    const mode = options.modes?.[type] ?? 'exclusive';
    try {
      // The handler table is keyed by command, so this call is type-safe per entry; TypeScript cannot
      // correlate the union of params with the union of handlers, hence the widening.
      const run = handler as Handler<CommandName>;
      const job = () => run(message.params as Params<CommandName>, ctx);
      const result = mode === 'immediate' ? await job() : await queue.run(job, { label: `${type} #${id}`, mode, signal: controller.signal });
      if (controller.signal.aborted) post({ type: 'cancelled', id }, []);
      else post({ type: 'result', id, command: type, result } as WorkerResponse, transfer);
    } catch (error) {
      // Only a cancel the main thread asked for is "cancelled". An AbortError nobody asked for (WebGPU
      // rejects mapAsync with one when the device is lost) is a failure and must be reported as such.
      if (controller.signal.aborted && error instanceof CancelledWithResult) {
        post({ type: 'cancelled', id, partial: { command: error.command, result: error.result } as PartialAnswer }, [...error.buffers]);
      } else if (controller.signal.aborted) post({ type: 'cancelled', id }, []);
      else if (isAbortError(error)) post({ type: 'error', id, error: { name: 'OperationAborted', message: `The operation was aborted without a cancel request (GPU device lost?): ${describe(error).message}` } }, []);
      else post({ type: 'error', id, error: describe(error) }, []);
    } finally {
      running.delete(id);
    }
  };
}
