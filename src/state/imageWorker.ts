import { createImageWorker, createImageWorkerClient, type ImageWorkerClient } from '../worker/decodeClient';

let client: ImageWorkerClient | null = null;

/** The one image-worker client (decode, components, export), created on first use. */
export function getImageWorker(): ImageWorkerClient {
  client ??= createImageWorkerClient(createImageWorker);
  return client;
}

/** Replaces the client (tests inject a fake worker). */
export function setImageWorker(next: ImageWorkerClient | null): void {
  client?.terminate();
  client = next;
}
