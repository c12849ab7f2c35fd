import { createModelWorker, createWorkerClient, type WorkerClient } from '../worker/client';

let client: WorkerClient | null = null;

/** The one model-worker client of the app, created on first use. */
export function getWorkerClient(): WorkerClient {
  if (!client) {
    client = createWorkerClient(createModelWorker);
    // bench/browser.ts drives the worker directly; only exposed when the URL asks for it.
    if (new URLSearchParams(window.location.search).has('bench')) {
      (window as Window & { unetStudioWorker?: WorkerClient }).unetStudioWorker = client;
    }
  }
  return client;
}

/** Replaces the client (tests inject a fake worker). */
export function setWorkerClient(next: WorkerClient | null): void {
  client?.terminate();
  client = next;
}
