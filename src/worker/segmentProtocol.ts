/**
 * Worker protocol, segmentation family: the image message, the inference engines, segmentation options and
 * reports, and the `segment` command (modelHandlers.ts). Types and constant tables only (see protocol.ts).
 */

import type { ImageObjects } from '../image/imageObjects';
import type { PostProcessing } from '../image/postProcessing';
import type { BackendName } from './backendProtocol';

/**
 * What runs a segmentation's forward passes: tfjs on the active backend, or onnxruntime-web on the model's
 * ONNX export (WASM or WebGPU execution provider). Training always runs on tfjs.
 */
export type InferenceEngineName = 'tfjs' | 'ort-wasm' | 'ort-webgpu';
/** The engine setting: one engine, or the measured default for the active backend (src/worker/engineChoice.ts). */
export type InferenceEnginePreference = InferenceEngineName | 'auto';

export const inferenceEngineNames: readonly InferenceEngineName[] = ['tfjs', 'ort-wasm', 'ort-webgpu'];

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
  /** Objects beyond the 2x clamp: the scale of the second map averaged with the first (src/model/objectScale.ts). */
  readonly fusedScale?: number;
  /** The model's training diameter it was matched to. */
  readonly trainingDiameter: number;
}

/** The segmentation command. */
export interface SegmentCommands {
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
}
