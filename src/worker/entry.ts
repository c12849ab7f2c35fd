/// <reference lib="webworker" />
// The worker's entry: wire the pure dispatcher (with its job queue) to postMessage. Nothing else belongs here.
import { createDispatcher } from './handle';
import { commandModes } from './commandModes';
import { createHandlers } from './handlers';
import { installTestHooks } from './faults';
import { isTestHooksMessage } from './testHooks';

declare const self: DedicatedWorkerGlobalScope;
const post = (message: unknown, transfer: ArrayBuffer[]) => self.postMessage(message, transfer);
const handle = createDispatcher(createHandlers((event) => post({ type: 'event', event }, [])), post, { modes: commandModes });
// Test hooks arrive only from a page a test opened (testHooks.ts); every other message goes to the dispatcher.
self.onmessage = (e: MessageEvent<unknown>) => (isTestHooksMessage(e.data) ? installTestHooks(e.data.hooks) : void handle(e.data));
