/**
 * Worker protocol, library family: model files in and out of the worker's registry (libraryHandlers.ts).
 * Types only (see protocol.ts).
 */

import type { LoadedModel, TuningRecord } from './modelProtocol';
import type { PlaneMessage } from './segmentProtocol';

/** A file of a model import (bytes transferred). */
export interface ModelFileMessage {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Commands that import, copy and package models. */
export interface LibraryCommands {
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
}
