/**
 * Worker protocol, fine-tune family: the painted images and preview region a run gets, the events it sends,
 * and the commands that start, update and stop it (fineTuneHandlers.ts). Types only (see protocol.ts).
 */

import type { FineTuneProgress, ValidationPoint } from '../model/fineTuneTypes';
import type { FineTuneRecipe } from '../model/recipe';
import type { LoadedModel } from './modelProtocol';
import type { PlaneMessage } from './segmentProtocol';

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

/** Commands of a fine-tune run. */
export interface FineTuneCommands {
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
}
