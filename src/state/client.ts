import { createModelWorker, createWorkerClient, type WorkerClient } from '../worker/client';

let client: WorkerClient | null = null;

/** The one model-worker client of the app, created on first use. */
export function getWorkerClient(): WorkerClient {
  client ??= createWorkerClient(createModelWorker);
  return client;
}

/** Replaces the client (tests inject a fake worker). */
export function setWorkerClient(next: WorkerClient | null): void {
  client?.terminate();
  client = next;
}
