/**
 * The Node-side candidates of bench/compare.ts: our CLI path (tfjs-wasm segmentPlane, and `--engine onnx`
 * = onnxruntime-node), onnxruntime-web's WASM EP in Node (a worker thread per thread count), the sgemm
 * ceiling and a tfjs training step.
 */
import { Worker } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { createOnnxEngine, createTfjsEngine } from '../cli/engine';
import { loadModelDir } from '../cli/modelFiles';
import type { FloatPlane } from '../src/image/types';
import { exportOnnx } from '../src/model/onnx/exportOnnx';
import type { NhwcArray } from '../src/model/onnx/dihedralArray';
import { encodeOnnxModel } from '../src/model/onnx/onnxProto';
import { segmentTiles } from '../src/model/onnx/segmentTiles';
import { syntheticSample } from '../src/model/syntheticDiscs';
import { trainSegmenter } from '../src/model/train';
import type { ModelCard } from '../src/model/types';
import { createUnet } from '../src/model/unet';

/** One image of one case: the normalised plane (Node runtimes) and the raw one (the app normalises itself). */
export interface CaseImage {
  readonly key: string;
  readonly model: string;
  readonly normalised: FloatPlane;
  readonly raw: FloatPlane;
  readonly tileOutput: number;
  readonly batch: number;
  readonly budgetBytes: number;
}

/** A runtime under test: segments a case's image, returns the foreground probabilities. */
export interface Candidate {
  readonly name: string;
  readonly where: 'node' | 'browser';
  readonly runtime: string;
  readonly threads: number;
  /** Cases it runs (default: all). */
  readonly only?: (image: CaseImage) => boolean;
  /** `seconds`: when the candidate times itself (inside the browser page); else the caller's wall time. */
  segment(image: CaseImage): Promise<{ readonly probabilities: Float32Array; readonly seconds?: number }>;
  dispose(): Promise<void>;
}

/** A loaded model directory and its ONNX export. */
export interface BenchModel {
  readonly name: string;
  readonly dir: string;
  readonly card: ModelCard;
  readonly onnx: Uint8Array;
}

export async function loadBenchModel(dir: string): Promise<BenchModel> {
  const { segmenter, card } = await loadModelDir(dir);
  try {
    return { name: card.name, dir, card, onnx: exportOnnx(segmenter) };
  } finally {
    segmenter.dispose();
  }
}

/** Our CLI path, `--engine tfjs`: segmentPlane on tfjs-backend-wasm (one thread: no threads in Node). */
export async function tfjsNodeCandidate(models: readonly BenchModel[], version: string): Promise<Candidate> {
  const engines = new Map(await Promise.all(models.map(async (m) => {
    const { segmenter, card } = await loadModelDir(m.dir);
    return [m.name, createTfjsEngine(segmenter, card)] as const;
  })));
  return {
    name: 'CLI --engine tfjs (tfjs-wasm segmentPlane, Node)',
    where: 'node',
    runtime: `tfjs ${version} wasm`,
    threads: 1,
    segment: (image) => engines.get(image.model)!.segment(image.normalised, { tileOutput: image.tileOutput, batch: image.batch, foregroundClass: engines.get(image.model)!.card.foregroundClass }),
    dispose: async () => {
      await Promise.all([...engines.values()].map((e) => e.dispose()));
    },
  };
}

/** Our CLI path, `--engine onnx`: onnxruntime-node on our ONNX export. */
export async function ortNodeCandidate(models: readonly BenchModel[], threads: number): Promise<Candidate> {
  const engines = new Map(await Promise.all(models.map(async (m) => [m.name, await createOnnxEngine(m.onnx, m.card, { threads })] as const)));
  return {
    name: `CLI --engine onnx (onnxruntime-node), ${threads} thread${threads > 1 ? 's' : ''}`,
    where: 'node',
    runtime: `onnxruntime-node ${ort.env.versions.common}`,
    threads,
    segment: (image) => engines.get(image.model)!.segment(image.normalised, { tileOutput: image.tileOutput, batch: image.batch, foregroundClass: engines.get(image.model)!.card.foregroundClass }),
    dispose: async () => {
      await Promise.all([...engines.values()].map((e) => e.dispose()));
    },
  };
}

/** onnxruntime-web's WASM EP in Node, in a worker thread (its thread count is fixed per realm). */
export async function ortWebNodeCandidate(models: readonly BenchModel[], threads: number): Promise<Candidate> {
  const worker = new Worker(new URL('./ortWebNodeWorker.mjs', import.meta.url), { workerData: { threads } });
  type Answer = { error?: string; version?: string; data?: Float32Array; dims?: number[] };
  const ask = (message: object, transfer: ArrayBuffer[] = []) =>
    new Promise<Answer>((resolve, reject) => {
      worker.once('message', (answer: Answer) => (answer.error ? reject(new Error(answer.error)) : resolve(answer)));
      worker.postMessage(message, transfer);
    });
  let version = '';
  for (const m of models) version = (await ask({ type: 'session', key: m.name, onnx: m.onnx })).version ?? '';
  const cards = new Map(models.map((m) => [m.name, m.card]));
  return {
    name: `onnxruntime-web WASM (Node), ${threads} thread${threads > 1 ? 's' : ''}`,
    where: 'node',
    runtime: `onnxruntime-web ${version}`,
    threads,
    segment: async (image) => {
      const card = cards.get(image.model)!;
      const run = async (x: NhwcArray): Promise<NhwcArray> => {
        const data = x.data.slice();
        const y = await ask({ type: 'run', key: image.model, data, dims: [...x.dims] }, [data.buffer]);
        const [n, h, w, c] = y.dims as number[];
        return { data: y.data as Float32Array, dims: [n, h, w, c] };
      };
      return segmentTiles(card.architecture, image.normalised, run, { tileOutput: image.tileOutput, batch: image.batch, foregroundClass: card.foregroundClass });
    },
    dispose: async () => {
      await worker.terminate();
    },
  };
}

/**
 * GFLOP/s of a 1024^3 float32 MatMul in onnxruntime-node (MLAS sgemm), best of 10 after a warm-up: a ceiling
 * is what the cores reach when nothing else runs, so the fastest run estimates it best on a shared machine.
 */
export async function sgemmCeiling(threads: number): Promise<number> {
  const n = 1024;
  const bytes = encodeOnnxModel({
    irVersion: 7,
    opsetVersion: 13,
    producerName: 'U-Net Studio bench',
    producerVersion: '0',
    graph: {
      name: 'sgemm',
      nodes: [{ opType: 'MatMul', name: 'matmul', inputs: ['a', 'b'], outputs: ['c'] }],
      initializers: [],
      inputs: [{ name: 'a', shape: [n, n] }, { name: 'b', shape: [n, n] }],
      outputs: [{ name: 'c', shape: [n, n] }],
    },
  });
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1 });
  const a = new ort.Tensor('float32', Float32Array.from({ length: n * n }, (_, i) => (i % 13) / 13), [n, n]);
  const times: number[] = [];
  for (let r = 0; r < 11; r++) {
    const t0 = performance.now();
    await session.run({ a, b: a });
    if (r > 0) times.push(performance.now() - t0);
  }
  await session.release();
  return (2 * n ** 3) / (Math.min(...times) / 1000) / 1e9;
}

/** The training step of issue 11: depth 3, 16 filters, one 252 px tile, Adam (plus a synthetic disc image). */
export const TRAIN_CONFIG = { depth: 3, baseFilters: 16, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 1 } as const;
export const TRAIN_TILE = 252;

/** ms per training step on the active tfjs backend (tfjs-wasm in Node), after one untimed step. */
export async function trainingMsPerStep(steps: number): Promise<number> {
  const segmenter = createUnet(TRAIN_CONFIG);
  try {
    const sample = syntheticSample(300);
    await trainSegmenter(segmenter, [sample], { steps: 1, tileSize: TRAIN_TILE, optimizer: 'adam', seed: 1 });
    const result = await trainSegmenter(segmenter, [sample], { steps, tileSize: TRAIN_TILE, optimizer: 'adam', seed: 2, skipSmokeTest: true });
    return result.msPerStep;
  } finally {
    segmenter.dispose();
  }
}
