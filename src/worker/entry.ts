/// <reference lib="webworker" />
// The worker's entry: wire the pure dispatcher to postMessage. Nothing else belongs here.
import { createDispatcher } from './handle';
import { createHandlers } from './handlers';

declare const self: DedicatedWorkerGlobalScope;
const post = (message: unknown, transfer: ArrayBuffer[]) => self.postMessage(message, transfer);
const handle = createDispatcher(createHandlers((event) => post({ type: 'event', event }, [])), post);
self.onmessage = (e: MessageEvent<unknown>) => void handle(e.data);
