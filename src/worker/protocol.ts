/**
 * The typed message protocol between the main thread and the model worker.
 *
 * Every request carries an `id`; the worker answers with exactly one terminal message for it (`result`,
 * `error` or `cancelled`) and any number of `progress` messages before that. `cancel` names the id to stop;
 * long handlers check their AbortSignal between units of work (tiles, steps). Pixel buffers travel in the
 * transfer list, never copied. This file and the command families it joins (backend, bench, model, segment,
 * fineTune, library and exportProtocol.ts, each beside its handlers) hold types only (plus constant tables),
 * so importing them never pulls worker code into the main bundle. Code above the worker imports every
 * protocol type from here: the layer rule lets src/state and src/app see this file, not the families.
 */

import type { BackendCommands, BackendInfo } from './backendProtocol';
import type { BenchCommands } from './benchProtocol';
import type { ExportCommands } from './exportProtocol';
import type { FineTuneCommands } from './fineTuneProtocol';
import type { LibraryCommands } from './libraryProtocol';
import type { ModelCommands } from './modelProtocol';
import type { SegmentCommands } from './segmentProtocol';

/** Request parameters, results and progress payloads per command: the families joined into one map. */
export interface CommandMap
  extends BackendCommands,
    BenchCommands,
    ModelCommands,
    SegmentCommands,
    FineTuneCommands,
    LibraryCommands,
    ExportCommands {}

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

export { backendNames } from './backendProtocol';
export type { BackendInfo, BackendName, BackendPreference, BackendProbe, GpuAdapterFacts } from './backendProtocol';
export { inferenceEngineNames } from './segmentProtocol';
export type {
  InferenceEngineName,
  InferenceEnginePreference,
  ObjectScaleReport,
  ObjectsRequest,
  PlaneMessage,
  SegmentOptions,
  TileReport,
} from './segmentProtocol';
export type { LoadedModel, ModelSource, TuningRecord } from './modelProtocol';
export type { FineTuneEvent, FineTuneImage, PreviewRegion } from './fineTuneProtocol';
export type { ModelFileMessage } from './libraryProtocol';

export type { ModelCard, UnetConfig } from '../model/types';
export type { ImageObjects } from '../image/imageObjects';
export type { ObjectMeasurement } from '../image/measure';
export type { PostProcessing } from '../image/postProcessing';
export type { FineTuneRecipe, TrainingRecipe } from '../model/recipe';
export type { FineTuneProgress, ValidationPoint, ValidationScore } from '../model/fineTuneTypes';
