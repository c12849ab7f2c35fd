import type { ImageCommand, ImageParams, ImageRequest, ImageResponse, ImageResult } from './decodeProtocol';

/** The main thread's typed bridge to the image worker (decode, components, export, zip). */
export interface ImageWorkerClient {
  call<K extends ImageCommand>(type: K, params: ImageParams<K>, transfer?: readonly Transferable[]): Promise<ImageResult<K>>;
  terminate(): void;
}

/** The minimal Worker surface the client needs (a real Worker, or a fake in tests). */
export interface ImageWorkerLike {
  postMessage(message: ImageRequest, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<ImageResponse>) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
  terminate(): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** Error from the image worker; `code` carries the ImageDecodeError code when there is one. */
export class ImageWorkerError extends Error {
  readonly code: string | undefined;
  constructor(name: string, message: string, code?: string) {
    super(message);
    this.name = name;
    this.code = code;
  }
}

/** Creates the client; the worker starts on the first call. A crash rejects every pending call. */
export function createImageWorkerClient(makeWorker: () => ImageWorkerLike): ImageWorkerClient {
  let worker: ImageWorkerLike | null = null;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  const ensure = (): ImageWorkerLike => {
    if (worker) return worker;
    const w = makeWorker();
    w.addEventListener('message', (event: MessageEvent<ImageResponse>) => {
      const msg = event.data;
      const entry = pending.get(msg.id);
      if (!entry) return;
      pending.delete(msg.id);
      if (msg.type === 'ok') entry.resolve(msg.result);
      else entry.reject(new ImageWorkerError(msg.error.name, msg.error.message, msg.error.code));
    });
    w.addEventListener('error', (event: ErrorEvent) => {
      const error = new ImageWorkerError('WorkerCrash', `The image worker crashed: ${event.message || 'out of memory?'}`);
      for (const entry of pending.values()) entry.reject(error);
      pending.clear();
      worker?.terminate();
      worker = null;
    });
    worker = w;
    return w;
  };

  return {
    call<K extends ImageCommand>(type: K, params: ImageParams<K>, transfer: readonly Transferable[] = []): Promise<ImageResult<K>> {
      const w = ensure();
      const id = nextId++;
      return new Promise<ImageResult<K>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        w.postMessage({ type, id, params } as ImageRequest, [...transfer]);
      });
    },
    terminate() {
      worker?.terminate();
      worker = null;
      for (const entry of pending.values()) entry.reject(new ImageWorkerError('Stopped', 'The image worker was stopped.'));
      pending.clear();
    },
  };
}

/** The app's image worker: a dedicated module worker bundled by Vite. */
export function createImageWorker(): ImageWorkerLike {
  return new Worker(new URL('./decodeEntry.ts', import.meta.url), { type: 'module', name: 'image-worker' }) as ImageWorkerLike;
}
