import { createWorkerClient, type WorkerClient, type WorkerLike } from './client';
import { commandModes } from './commandModes';
import { createDispatcher, type Handlers } from './handle';
import { createModelHandlers, type ModelState, type WorkerModel } from './modelHandlers';
import { createModelRegistry } from './modelRegistry';
import type { WorkerRequest, WorkerResponse } from './protocol';

/*
 * The worker's real dispatcher and handlers behind the real client, in this process (messages are not
 * copied): how the Node tests drive the model worker's protocol end to end without a Worker.
 */

/** A WorkerLike whose messages go straight to a dispatcher over `handlers` (with the app's command modes). */
export function inProcessWorker(handlers: Handlers): WorkerLike {
  let onMessage: ((event: MessageEvent<WorkerResponse>) => void) | null = null;
  const handle = createDispatcher(handlers, (message) => onMessage?.({ data: message } as MessageEvent<WorkerResponse>), { modes: commandModes });
  return {
    postMessage: (message: WorkerRequest) => void handle(message),
    addEventListener: (type: string, listener: unknown) => {
      if (type === 'message') onMessage = listener as (event: MessageEvent<WorkerResponse>) => void;
    },
    terminate: () => {},
  };
}

/** What a test's model worker is made of. */
export interface ModelWorkerOptions extends Pick<ModelState, 'resolveRecipe'>, Partial<Pick<ModelState, 'inference'>> {
  /**
   * Handler families served beside the model handlers, each made over the same state as in the worker
   * (handlers.ts), e.g. `createLibraryHandlers` or `(state) => createFineTuneHandlers(state, trainer)`.
   */
  readonly families?: readonly ((state: ModelState) => Handlers)[];
}

/** A client over the model handlers (plus `families`) with a fresh registry; `state` lets a test look inside. */
export function startModelWorker(options: ModelWorkerOptions): { client: WorkerClient; state: ModelState } {
  const { families = [], ...init } = options;
  const state: ModelState = { registry: createModelRegistry<WorkerModel>(), backend: null, ...init };
  const handlers: Handlers = Object.assign({}, createModelHandlers(state), ...families.map((family) => family(state)));
  const worker = inProcessWorker(handlers);
  return { client: createWorkerClient(() => worker), state };
}
