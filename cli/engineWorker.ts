/**
 * One worker thread of an engine pool (cli/enginePool.ts): its own tfjs backend and its own engine (an
 * onnxruntime session, or a tfjs model), answering segment requests one at a time. Started through
 * cli/workerBoot.mjs, which registers tsx's loader in the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { FloatPlane } from '../src/image/types';
import { initNodeBackend } from './backend';
import type { NodeBackendName } from './backend';
import { createEngine } from './engine';
import type { EngineKind, EngineSegmentOptions } from './engine';

export interface EngineWorkerData {
  readonly entry: string;
  readonly kind: EngineKind;
  readonly modelDir: string;
  readonly backend: NodeBackendName;
  readonly threads: number;
}

export interface EngineWorkerRequest {
  readonly id: number;
  readonly plane: FloatPlane | readonly FloatPlane[];
  readonly options: Omit<EngineSegmentOptions, 'signal'>;
}

export type EngineWorkerReply =
  | { readonly kind: 'ready'; readonly description: string }
  | { readonly kind: 'result'; readonly id: number; readonly probabilities: Float32Array; readonly width: number; readonly height: number }
  | { readonly kind: 'error'; readonly id: number; readonly message: string };

async function serve(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('cli/engineWorker.ts runs only as a worker thread');
  const data = workerData as EngineWorkerData;
  await initNodeBackend(data.backend);
  const engine = await createEngine(data.kind, data.modelDir, { threads: data.threads });
  port.on('message', (request: EngineWorkerRequest | 'close') => {
    if (request === 'close') {
      void engine.dispose().then(() => port.close());
      return;
    }
    engine.segment(request.plane, request.options).then(
      (r) => {
        const reply: EngineWorkerReply = { kind: 'result', id: request.id, probabilities: r.probabilities, width: r.width, height: r.height };
        port.postMessage(reply, [r.probabilities.buffer as ArrayBuffer]);
      },
      (e: unknown) => port.postMessage({ kind: 'error', id: request.id, message: e instanceof Error ? e.message : String(e) } satisfies EngineWorkerReply),
    );
  });
  port.postMessage({ kind: 'ready', description: engine.description } satisfies EngineWorkerReply);
}

void serve();
