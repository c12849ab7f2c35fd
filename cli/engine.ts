/**
 * Inference engines of the command-line tools (`--engine onnx|tfjs`): the same model directory, the same
 * overlap-tile plan and tile choice, two runtimes. `tfjs` is the app's own path (segmentPlane on the
 * active tfjs backend, WASM in Node, one thread); `onnx` exports the U-Net to ONNX in memory
 * (src/model/onnx) and runs the tiles in onnxruntime-node on `threads` CPU threads. Both return the
 * foreground probability map; they agree within 1e-4 (cli/engine.test.ts).
 */
import * as os from 'node:os';
import * as ort from 'onnxruntime-node';
import type { FloatPlane } from '../src/image/types';
import type { AbortSignalLike } from '../src/model/abort';
import { ONNX_INPUT, ONNX_OUTPUT, exportOnnx } from '../src/model/onnx/exportOnnx';
import type { NhwcArray } from '../src/model/onnx/dihedralArray';
import { segmentTiles } from '../src/model/onnx/segmentTiles';
import { segmentPlane } from '../src/model/segment';
import type { ModelCard, Segmenter, UnetConfig } from '../src/model/types';
import { loadModelDir } from './modelFiles';

/** The runtimes behind `--engine`. */
export const ENGINE_KINDS = ['onnx', 'tfjs'] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

/**
 * The CLIs' default: onnxruntime-node measured 4.7-5.4x faster than tfjs-wasm per 1024x1024 image with
 * the shipped EM model (bench/compare.ts; README, "ONNX export and the --engine flag"), with the same
 * output within 1e-4 and the same evaluate metrics.
 */
export const DEFAULT_ENGINE: EngineKind = 'onnx';

/** Options of one segmentation (a subset of segmentPlane's, shared by both engines). */
export interface EngineSegmentOptions {
  readonly foregroundClass?: number;
  /** The card's classWeights (see ModelCard): the map is their weighted sum of the class probabilities. */
  readonly classWeights?: readonly number[];
  readonly tta?: boolean;
  /** Exact tile output side (default: chosen from the memory budget, the same for both engines). */
  readonly tileOutput?: number;
  readonly batch?: number;
  readonly signal?: AbortSignalLike;
}

/** What the tools read from a segmentation. */
export interface EngineResult {
  /** Row-major foreground probability, width * height values. */
  readonly probabilities: Float32Array;
  readonly width: number;
  readonly height: number;
}

/** A loaded model behind one runtime. */
export interface Engine {
  readonly kind: EngineKind;
  readonly card: ModelCard;
  readonly config: UnetConfig;
  /** For logs, e.g. "onnxruntime-node 1.30.0, 2 threads". */
  readonly description: string;
  /** Foreground probabilities of one normalised image (a plane, or one per input channel). */
  segment(plane: FloatPlane | readonly FloatPlane[], options?: EngineSegmentOptions): Promise<EngineResult>;
  dispose(): Promise<void>;
}

/** Options of the ONNX engine. */
export interface OnnxEngineOptions {
  /** onnxruntime intra-op threads (default: every core, os.availableParallelism()). */
  readonly threads?: number;
}

/** The tfjs engine over an already loaded segmenter (the engine owns it from now on). */
export function createTfjsEngine(segmenter: Segmenter, card: ModelCard): Engine {
  return {
    kind: 'tfjs',
    card,
    config: segmenter.config,
    description: 'tfjs (active backend, segmentPlane)',
    segment: (plane, options = {}) => segmentPlane(segmenter, plane, options),
    dispose: async () => segmenter.dispose(),
  };
}

/** The ONNX engine over the bytes of an exported model (exportOnnx) and the model's card. */
export async function createOnnxEngine(onnx: Uint8Array, card: ModelCard, options: OnnxEngineOptions = {}): Promise<Engine> {
  const threads = options.threads ?? os.availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
  const session = await ort.InferenceSession.create(onnx, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const run = async (x: NhwcArray): Promise<NhwcArray> => {
    const outputs = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', x.data, [...x.dims]) });
    const y = outputs[ONNX_OUTPUT];
    const [n, h, w, c] = y.dims;
    return { data: y.data as Float32Array, dims: [n, h, w, c] };
  };
  const config = card.architecture;
  return {
    kind: 'onnx',
    card,
    config,
    description: `onnxruntime-node ${ort.env.versions.common}, ${threads} thread${threads === 1 ? '' : 's'}`,
    segment: (plane, segmentOptions = {}) => segmentTiles(config, plane, run, segmentOptions),
    dispose: () => session.release(),
  };
}

/**
 * Loads a model directory (model.json + weights + model-card.json) behind the chosen runtime. The
 * tfjs model is read on the active tfjs backend (the tools call initNodeBackend first); for `onnx` it is
 * exported and disposed right away.
 */
export async function createEngine(kind: EngineKind, modelDir: string, options: OnnxEngineOptions = {}): Promise<Engine> {
  const { segmenter, card } = await loadModelDir(modelDir);
  if (kind === 'tfjs') return createTfjsEngine(segmenter, card);
  let onnx: Uint8Array;
  try {
    onnx = exportOnnx(segmenter, { docString: `${card.name}: ${card.description}` });
  } finally {
    segmenter.dispose();
  }
  return createOnnxEngine(onnx, card, options);
}
