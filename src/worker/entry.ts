/// <reference lib="webworker" />
// The worker's entry: wire the pure dispatcher (with its job queue) to postMessage. Nothing else belongs here.
import { createDispatcher } from './handle';
import { commandModes } from './commandModes';
import { createHandlers } from './handlers';

declare const self: DedicatedWorkerGlobalScope;
const post = (message: unknown, transfer: ArrayBuffer[]) => self.postMessage(message, transfer);
const handle = createDispatcher(createHandlers((event) => post({ type: 'event', event }, [])), post, { modes: commandModes });
self.onmessage = (e: MessageEvent<unknown>) => void handle(e.data);
