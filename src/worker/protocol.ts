/**
 * The typed message protocol between the main thread and the model worker.
 *
 * Every request carries an `id`; the worker answers with exactly one terminal message for it (`result`,
 * `error` or `cancelled`) and any number of `progress` messages before that. `cancel` names the id to stop;
 * long handlers check their AbortSignal between units of work (tiles, steps). Pixel buffers travel in the
 * transfer list, never copied. This file holds types only (plus constant tables), so importing it never pulls
 * worker code into the main bundle.
 */

import type { ModelCard, UnetConfig } from '../model/types';

/** Backends the worker can run tfjs on. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
/** What the user asked for: a forced backend, or automatic choice. */
export type BackendPreference = BackendName | 'auto';

export const backendNames: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** The WebGPU adapter facts shown to the user and used to size tiles. */
export interface GpuAdapterFacts {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  readonly isFallbackAdapter: boolean;
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  /** The limits the device was actually created with (asked for from the adapter, not the defaults). */
  readonly deviceMaxStorageBufferBindingSize: number;
  readonly deviceMaxBufferSize: number;
}

/** Time of one probe operation on one candidate backend during automatic selection. */
export interface BackendProbe {
  readonly backend: BackendName;
  /** Milliseconds per probe op, or null when the backend could not start. */
  readonly ms: number | null;
  readonly error?: string;
}

/** What the worker reports once a backend is ready. */
export interface BackendInfo {
  readonly backend: BackendName;
  readonly requested: BackendPreference;
  /** One sentence for the UI: why this backend. */
  readonly reason: string;
  /** Present when WebGPU is unusable or was passed over, for a visible notice. */
  readonly notice?: string;
  readonly webgpuAvailable: boolean;
  readonly gpu?: GpuAdapterFacts;
  readonly probes: readonly BackendProbe[];
  /** WASM only: whether SIMD and threads are in use. */
  readonly wasm?: { readonly simd: boolean; readonly threads: number };
  readonly crossOriginIsolated: boolean;
}

/** Where the worker gets a model from. */
export type ModelSource =
  /** A model directory served with the app (public/models/NAME/): model.json, shards, model-card.json. */
  | { readonly kind: 'url'; readonly url: string }
  /** A fresh, randomly initialised U-Net (before any trained model exists, or to train from scratch). */
  | { readonly kind: 'random'; readonly config: UnetConfig; readonly name?: string };

/** What the UI knows about the loaded model. */
export interface LoadedModel {
  readonly card: ModelCard;
  /** True for a randomly initialised model: its output is meaningless until it is trained. */
  readonly random: boolean;
  readonly parameters: number;
  /** Context margin per side (px) of the valid-padded network. */
  readonly margin: number;
}

/** A single-channel image in raw units (the worker normalises it per the model card). */
export interface PlaneMessage {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/** Tile geometry and memory figures of a segmentation, shown in the UI. */
export interface TileReport {
  /** The larger side of the input tile (tiles are square unless the image is a thin strip). */
  readonly inputSize: number;
  /** The larger side of the output tile. */
  readonly outputSize: number;
  readonly inputWidth: number;
  readonly inputHeight: number;
  readonly outputWidth: number;
  readonly outputHeight: number;
  /** Input pixels computed per output pixel (context margins, cropping). */
  readonly waste: number;
  readonly batch: number;
  readonly tiles: number;
  readonly estimateBytes: number;
  readonly budgetBytes: number;
  /** How many times the tile was halved after an out-of-memory error. */
  readonly backoffs: number;
}

export interface SegmentOptions {
  /** Average the 8 flips/rotations of each tile (slower, smoother). */
  readonly tta: boolean;
  /** User override of the memory budget in bytes (else derived from adapter limits). */
  readonly budgetBytes?: number;
  /** User override of the output tile side (px); else the largest that fits the budget. */
  readonly tileOutput?: number;
}

/** One painted training example: raw image plane plus labels (0 unlabelled, 1 background, 2 foreground). */
export interface TrainingExample {
  readonly image: PlaneMessage;
  readonly labels: Uint8Array;
}

export interface TrainOptions {
  readonly steps: number;
  readonly learningRate: number;
  readonly optimizer: 'sgd' | 'adam';
  readonly seed: number;
}

/** Request parameters, results and progress payloads per command. */
export interface CommandMap {
  init: {
    params: { readonly backend: BackendPreference };
    result: BackendInfo;
    progress: { readonly stage: string };
  };
  /**
   * The active backend compared with the CPU backend on the same seeded input: a small conv2d
   * (`target: 'conv'`) or a whole tiled segmentation with the loaded model (`target: 'model'`).
   */
  selfTest: {
    params: { readonly target: 'conv' | 'model'; readonly size: number; readonly channels: number; readonly seed: number };
    result: {
      readonly target: 'conv' | 'model';
      readonly backend: BackendName;
      readonly maxAbsDiff: number;
      readonly outputSum: number;
      readonly ms: number;
      /** For `target: 'model'`: the largest difference of each U-Net op checked on its own. */
      readonly perOp?: Readonly<Record<string, number>>;
    };
    progress: never;
  };
  /** Repeated conv2d for a set time: measures throughput, and proves the main thread stays free. */
  benchmark: {
    params: { readonly durationMs: number; readonly size: number };
    result: { readonly backend: BackendName; readonly iterations: number; readonly ms: number; readonly gflops: number };
    progress: { readonly elapsedMs: number; readonly iterations: number };
  };
  loadModel: {
    params: { readonly source: ModelSource };
    result: LoadedModel;
    progress: { readonly fraction: number };
  };
  /** What is loaded now (after a cancelled training the weights changed but no result was sent). */
  describeModel: {
    params: Record<string, never>;
    result: LoadedModel;
    progress: never;
  };
  /** Overlap-tile segmentation of one image with the loaded model. */
  segment: {
    params: { readonly image: PlaneMessage; readonly options: SegmentOptions };
    /** `probabilities` is H*W foreground probability (transferred). */
    result: { readonly width: number; readonly height: number; readonly probabilities: Float32Array; readonly tile: TileReport; readonly ms: number; readonly backend: BackendName };
    progress: { readonly tilesDone: number; readonly tilesTotal: number; readonly etaMs: number };
  };
  /** Fine-tunes the loaded model on painted labels. */
  train: {
    params: { readonly examples: readonly TrainingExample[]; readonly options: TrainOptions };
    result: { readonly steps: number; readonly loss: number; readonly msPerStep: number; readonly card: ModelCard };
    progress: { readonly step: number; readonly steps: number; readonly loss: number; readonly msPerStep: number };
  };
  /** Forward ms per tile at several tile sizes and ms per training step of a fresh U-Net (bench/browser.ts). */
  benchmarkModel: {
    params: { readonly config: UnetConfig; readonly tileSizes: readonly number[]; readonly repeats: number; readonly trainTile: number; readonly trainSteps: number };
    result: {
      readonly backend: BackendName;
      readonly forward: readonly { readonly tile: number; readonly outTile: number; readonly msPerTile: number; readonly mpxPerS: number; readonly peakBytes: number }[];
      readonly training: { readonly tile: number; readonly steps: number; readonly msPerStep: number } | null;
    };
    progress: { readonly stage: string };
  };
  /** The loaded (possibly fine-tuned) model as files: model.json, weights, model-card.json (transferred). */
  exportModel: {
    params: Record<string, never>;
    result: { readonly name: string; readonly files: readonly { readonly name: string; readonly bytes: Uint8Array }[]; readonly backend: string };
    progress: never;
  };
}

export type CommandName = keyof CommandMap;
export type Params<K extends CommandName> = CommandMap[K]['params'];
export type Result<K extends CommandName> = CommandMap[K]['result'];
export type Progress<K extends CommandName> = CommandMap[K]['progress'];

/** A request for command K. */
export type CommandRequest<K extends CommandName> = {
  readonly type: K;
  readonly id: number;
  readonly params: Params<K>;
};

export type CancelRequest = { readonly type: 'cancel'; readonly id: number; readonly target: number };

/** Everything the main thread may send. */
export type WorkerRequest = { [K in CommandName]: CommandRequest<K> }[CommandName] | CancelRequest;

/** Unsolicited worker events (not answers to a request). */
export type WorkerEvent =
  | { readonly kind: 'deviceLost'; readonly message: string; readonly reinitialised: boolean }
  | { readonly kind: 'gpuError'; readonly message: string }
  | { readonly kind: 'backendChanged'; readonly info: BackendInfo };

/** Serialisable error: the worker never throws across the boundary. */
export interface WorkerErrorInfo {
  readonly name: string;
  readonly message: string;
}

/** Everything the worker may send. */
export type WorkerResponse =
  | { [K in CommandName]: { readonly type: 'result'; readonly id: number; readonly command: K; readonly result: Result<K> } }[CommandName]
  | { [K in CommandName]: { readonly type: 'progress'; readonly id: number; readonly command: K; readonly progress: Progress<K> } }[CommandName]
  | { readonly type: 'error'; readonly id: number; readonly error: WorkerErrorInfo }
  | { readonly type: 'cancelled'; readonly id: number }
  | { readonly type: 'event'; readonly event: WorkerEvent };

export type { ModelCard, UnetConfig } from '../model/types';
