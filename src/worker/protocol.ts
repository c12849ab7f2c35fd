/**
 * The typed message protocol between the main thread and the model worker.
 *
 * Every request carries an `id`; the worker answers with exactly one terminal message for it (`result`,
 * `error` or `cancelled`) and any number of `progress` messages before that. `cancel` names the id to stop;
 * long handlers check their AbortSignal between units of work (tiles, steps). Pixel buffers travel in the
 * transfer list, never copied. This file holds types only (plus constant tables), so importing it never pulls
 * worker code into the main bundle.
 */

import type { ImageObjects } from '../image/imageObjects';
import type { PostProcessing } from '../image/postProcessing';
import type { FineTuneProgress, ValidationPoint, ValidationScore } from '../model/fineTuneTypes';
import type { FineTuneRecipe, TrainingRecipe } from '../model/recipe';
import type { ModelCard, UnetConfig } from '../model/types';

/** Backends the worker can run tfjs on. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
/** What the user asked for: a forced backend, or automatic choice. */
export type BackendPreference = BackendName | 'auto';

export const backendNames: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/**
 * What runs a segmentation's forward passes: tfjs on the active backend, or onnxruntime-web on the model's
 * ONNX export (WASM or WebGPU execution provider). Training always runs on tfjs.
 */
export type InferenceEngineName = 'tfjs' | 'ort-wasm' | 'ort-webgpu';
/** The engine setting: one engine, or the measured default for the active backend (src/worker/engineChoice.ts). */
export type InferenceEnginePreference = InferenceEngineName | 'auto';

export const inferenceEngineNames: readonly InferenceEngineName[] = ['tfjs', 'ort-wasm', 'ort-webgpu'];

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
  | { readonly kind: 'random'; readonly config: UnetConfig; readonly name?: string }
  /** A model made in this worker session (a fine-tune): it is in the worker's registry already. */
  | { readonly kind: 'session' };

/** How a fine-tuned model came about: its parent, the run, and the validation before and after. */
export interface TuningRecord {
  readonly parentId: string;
  readonly parentName: string;
  /** Steps the run actually made (a stopped run: fewer than asked for). */
  readonly steps: number;
  readonly requestedSteps: number;
  /** Step whose weights were kept (0 = the starting weights). */
  readonly bestStep: number;
  readonly kept: 'tuned' | 'start';
  /** One sentence for the user about what was kept and why. */
  readonly message: string;
  readonly aborted: boolean;
  readonly stoppedEarly: boolean;
  /** Images with painted labels the run used. */
  readonly images: number;
  /** Validation of the starting and of the kept weights on the held-out labels (null: nothing held out). */
  readonly before: ValidationScore | null;
  readonly after: ValidationScore | null;
  readonly settings: FineTuneRecipe;
  readonly msPerStep: number;
  readonly tileSize: number;
  readonly outputTileSize: number;
  readonly finishedAt: string;
}

/** What the UI knows about a loaded model. */
export interface LoadedModel {
  /** The registry id the worker keeps it under. */
  readonly id: string;
  readonly card: ModelCard;
  /**
   * Content hash of the weights (sha256 hex, src/model/revision.ts). Every cached result is keyed by it: the
   * same weights give the same revision whatever the model is called, one changed weight a new one.
   */
  readonly revision: string;
  /** How it was trained and how to fine-tune it (the card's recipe, or defaults for its task). */
  readonly recipe: TrainingRecipe;
  /** Present for a model fine-tuned in this session. */
  readonly tuning?: TuningRecord;
  /** True for a randomly initialised model: its output is meaningless until it is trained. */
  readonly random: boolean;
  readonly parameters: number;
  /** Context margin per side (px) of the valid-padded network. */
  readonly margin: number;
}

/** A file of a model import (bytes transferred). */
export interface ModelFileMessage {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** A single-channel image in raw units (the worker normalises it per the model card). */
export interface PlaneMessage {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/** Objects wanted with a segmentation: how to make them, and what to measure their intensity on. */
export interface ObjectsRequest {
  readonly settings: PostProcessing;
  /** Raw values to measure (W*H, e.g. the mean of an RGB image's channels); default: the segmented plane. */
  readonly intensity?: Float32Array;
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
  /** Inference engine (default 'auto'); the probabilities agree within 1e-4 whichever runs. */
  readonly engine?: InferenceEnginePreference;
  /**
   * Object diameter of the image in px (or 'auto': estimated from a first pass): the image is resized so
   * its objects match the model's training diameter (card.objectDiameter) and the map is resized back.
   * Absent = no rescaling. Ignored for a model whose card has no objectDiameter.
   */
  readonly diameter?: number | 'auto';
}

/** The object scale a segmentation used (src/model/objectScale.ts). */
export interface ObjectScaleReport {
  /** The image's object diameter (px): the user's or the estimate; null when nothing was found to measure. */
  readonly diameter: number | null;
  readonly source: 'user' | 'estimate';
  /** The factor the image was resized by (1 = not resized). */
  readonly scale: number;
  /** The model's training diameter it was matched to. */
  readonly trainingDiameter: number;
}

/**
 * One painted image of a fine-tune: labels to train on (0 unlabelled, 1 background, 2 foreground) and the
 * held-out labels of the same image (disjoint). The raw plane travels once per run: label updates during
 * the run leave it out.
 */
export interface FineTuneImage {
  readonly imageId: string;
  readonly name: string;
  /** Required the first time a run sees this image. */
  readonly image?: PlaneMessage;
  readonly labels: Uint8Array;
  readonly validation?: Uint8Array;
  /**
   * The factor the image is segmented at (its object scale; absent = 1): the run trains on the image and
   * its labels resized by it (src/model/fineTuneScale.ts). Taken from the image's first message.
   */
  readonly scale?: number;
}

/**
 * What a live preview re-predicts: a crop of one image (the visible region plus the model's context margin,
 * clipped to the image) at (x, y). Only `inner` (image coordinates, the visible region) is exact; the
 * crop's margin band exists to feed it context. The crop's edges must lie on the model's pooling grid
 * (multiples of 2^depth) or on the image border: a valid U-Net's output depends on the phase of its
 * pooling grid, so only such a crop predicts exactly what a segmentation of the whole image does.
 */
export interface PreviewRegion {
  readonly imageId: string;
  readonly x: number;
  readonly y: number;
  readonly plane: PlaneMessage;
  readonly inner: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  /**
   * The whole image's normalisation as a fixed range (its percentiles under the card's spec): a crop's own
   * percentiles would differ, and the preview would not match a segmentation of the whole image.
   */
  readonly range: { readonly min: number; readonly max: number };
  /** The scale the image is segmented at (absent: that of its FineTuneImage, else 1); the crop is predicted at it. */
  readonly scale?: number;
}

/** Progress of a fine-tune: a step, a validation point, or a preview of the current weights. */
export type FineTuneEvent =
  | ({ readonly kind: 'step' } & FineTuneProgress)
  | { readonly kind: 'validation'; readonly point: ValidationPoint }
  /**
   * The best weights so far as a plain model ZIP (transferred), sent after each validation that improved
   * on the best: the app stores it, so a reload during training can resume from it.
   */
  | { readonly kind: 'checkpoint'; readonly step: number; readonly zip: Uint8Array }
  | {
      readonly kind: 'preview';
      readonly step: number;
      readonly imageId: string;
      /** Region (image coordinates) of `probabilities` (transferred): the preview's `inner` rectangle. */
      readonly x: number;
      readonly y: number;
      readonly width: number;
      readonly height: number;
      readonly probabilities: Float32Array;
    };

/** Request parameters, results and progress payloads per command. */
export interface CommandMap {
  init: {
    /** `wasmThreads`: threads of the WASM backend (default: one per core); fixed at its first start in a worker. */
    params: { readonly backend: BackendPreference; readonly wasmThreads?: number };
    result: BackendInfo;
    progress: { readonly stage: string };
  };
  /**
   * The active backend compared with the CPU backend on the same seeded input: a small conv2d
   * (`target: 'conv'`) or a whole tiled segmentation with the loaded model (`target: 'model'`).
   */
  selfTest: {
    params: { readonly target: 'conv' | 'model'; readonly size: number; readonly channels: number; readonly seed: number; readonly modelId?: string };
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
  /** Makes model `id` ready (loads a shipped one on first use; nothing is unloaded by choosing another). */
  loadModel: {
    params: { readonly id: string; readonly source: ModelSource };
    result: LoadedModel;
    progress: { readonly fraction: number };
  };
  /** Facts of a model the worker holds. */
  describeModel: {
    params: { readonly id: string };
    result: LoadedModel;
    progress: never;
  };
  /** Discards a model made in this session; a job using it keeps it until the job ends. */
  removeModel: {
    params: { readonly id: string };
    result: { readonly removed: boolean };
    progress: never;
  };
  /**
   * Overlap-tile segmentation of one image with model `modelId` (served between training steps during a
   * fine-tune). With `objects`, the worker also computes the objects and their measurements from the
   * probability it already holds (src/image/imageObjects.ts), so the map need not go to another worker.
   */
  segment: {
    params: { readonly modelId: string; readonly image: PlaneMessage; readonly options: SegmentOptions; readonly objects?: ObjectsRequest };
    /**
     * `probabilities` is H*W foreground probability; it and the objects' labels and sizes are transferred.
     * `partial` is set only on the answer to a cancelled run: the finished tiles hold their final values,
     * the rest are NaN (and there are no objects).
     */
    result: {
      readonly width: number;
      readonly height: number;
      readonly probabilities: Float32Array;
      readonly tile: TileReport;
      readonly ms: number;
      readonly backend: BackendName;
      readonly objects?: ImageObjects;
      readonly partial?: { readonly tilesDone: number; readonly tilesTotal: number };
      /** Present when options.diameter asked for rescaling and the model has a training diameter. */
      readonly objectScale?: ObjectScaleReport;
      /** The engine that ran, and why (a requested engine that could not run is named in `engineReason`). */
      readonly engine?: InferenceEngineName;
      readonly engineReason?: string;
    };
    progress: { readonly tilesDone: number; readonly tilesTotal: number; readonly etaMs: number };
  };
  /**
   * Fine-tunes a copy of model `parentId` on painted labels with the parent's recipe (plus `overrides`); the
   * parent stays as it was. A finished or stopped run becomes model `modelId` called `name`. `runId` names the
   * run for `updateFineTune` and `stopFineTune`. Cancelling the request discards the run.
   */
  fineTune: {
    params: {
      readonly runId: string;
      readonly parentId: string;
      readonly modelId: string;
      readonly name: string;
      readonly images: readonly FineTuneImage[];
      readonly overrides: Partial<FineTuneRecipe>;
      readonly seed: number;
      /** Re-predict the preview region every this many steps (0 = only on demand). */
      readonly previewEvery: number;
      readonly preview: PreviewRegion | null;
      /** User override of the memory budget (else the worker's default for the backend). */
      readonly budgetBytes?: number;
    };
    result: { readonly model: LoadedModel };
    progress: FineTuneEvent;
  };
  /** New labels (strokes painted during the run), a new preview region, or a preview now, for run `runId`. */
  updateFineTune: {
    params: { readonly runId: string; readonly images?: readonly FineTuneImage[]; readonly preview?: PreviewRegion; readonly previewNow?: boolean };
    /** False when no such run is going on (it has just ended). */
    result: { readonly accepted: boolean };
    progress: never;
  };
  /** Stops run `runId` after its current step; the run still answers with its best weights and true step count. */
  stopFineTune: {
    params: { readonly runId: string };
    result: { readonly stopping: boolean };
    progress: never;
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
  /**
   * Validates model files the user handed over (one ZIP, a bioimage.io package, or model.json + weights +
   * card picked together) with src/model/modelImport.ts and registers the model as `id`. A refusal is an
   * error named `ModelImportError` whose message says what is wrong; nothing is loaded or changed then.
   */
  importModel: {
    /** `tuning`: the fine-tune record of a kept model coming back from the stored session. */
    params: { readonly id: string; readonly files: readonly ModelFileMessage[]; readonly expectInChannels?: number; readonly tuning?: TuningRecord };
    result: LoadedModel;
    progress: never;
  };
  /** A copy of model `id` under `newId` (same weights, so the same revision: results are shared). */
  duplicateModel: {
    params: { readonly id: string; readonly newId: string; readonly name: string };
    result: LoadedModel;
    progress: never;
  };
  /**
   * Model `id` as one file: a plain model ZIP (model.json, weights, card; src/model/modelExport.ts) or a
   * bioimage.io package (src/model/bioimageio/) whose test input is a window of `testImage` (raw values,
   * un-normalised). `name` replaces the card's name (a model renamed in the library). Bytes transferred.
   */
  packageModel: {
    params: { readonly id: string; readonly format: 'zip' | 'bioimageio'; readonly name?: string; readonly testImage?: PlaneMessage };
    result: { readonly fileName: string; readonly bytes: Uint8Array };
    progress: never;
  };
  /** Model `id` (possibly fine-tuned) as files: model.json, weights, model-card.json (transferred). */
  exportModel: {
    params: { readonly id: string };
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
  | { readonly kind: 'backendChanged'; readonly info: BackendInfo }
  /** Made by the client, not the worker: the worker died, its pending calls were rejected, the next call starts a new one. */
  | { readonly kind: 'workerCrashed'; readonly message: string };

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
  | { readonly type: 'cancelled'; readonly id: number; readonly partial?: PartialAnswer }
  | { readonly type: 'event'; readonly event: WorkerEvent };

/** What a cancelled job had finished (today: the done tiles of a segmentation), sent with `cancelled`. */
export type PartialAnswer = { [K in CommandName]: { readonly command: K; readonly result: Result<K> } }[CommandName];

export type { ModelCard, UnetConfig } from '../model/types';
export type { ImageObjects } from '../image/imageObjects';
export type { ObjectMeasurement } from '../image/measure';
export type { PostProcessing } from '../image/postProcessing';
export type { FineTuneRecipe, TrainingRecipe } from '../model/recipe';
export type { FineTuneProgress, ValidationPoint, ValidationScore } from '../model/fineTuneTypes';
