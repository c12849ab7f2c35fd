import { createHistory, type HistoryStack } from '../image/history';
import { createLabelCanvas, type LabelCanvas } from '../image/labels';
import type { ObjectMeasurement } from '../image/measure';
import type { PostProcessing } from '../image/postProcessing';
import type { RasterImage } from '../image/types';

/**
 * Pixel buffers live here, outside React state: a 4096x4096 image with its labels and predictions is
 * hundreds of MB, and zustand/React must never copy or diff them. The store holds version counters
 * that tell the viewer when to redraw.
 */

/** Instances of one image for one instances key (see keys.ts). */
export interface InstanceBuffers {
  readonly key: string;
  readonly labels: Uint32Array;
  readonly count: number;
  /** sizes[k] = pixels of object k (sizes[0] = background): lets an export reuse these instances. */
  readonly sizes: Uint32Array;
  readonly foreground: number;
  /** One row per object, sorted by id (the measurement table and NAME_objects.csv). */
  readonly measurements: readonly ObjectMeasurement[];
}

/** Everything held per image. */
export interface ImagePixels {
  readonly raster: RasterImage;
  /** The file it was decoded from (a Blob references the file, it copies nothing): the stored session keeps it. */
  readonly source: Blob | null;
  /** Painted labels (0 unlabelled, 1 background, 2 foreground); created on the first paint. */
  labels: LabelCanvas | null;
  readonly history: HistoryStack;
  /** Foreground probability per prediction key. */
  readonly predictions: Map<string, Float32Array>;
  /**
   * Per prediction key, the model that made it and the post-processing its objects were made with then: an
   * export still finds them once that model is no longer loaded (deleted, or not reloaded after a reload).
   */
  readonly madeWith: Map<string, MadeWith>;
  instances: InstanceBuffers | null;
  /** Painted labels held out for validation (same format as labels), drawn hatched; null: none. */
  heldOut: Uint8Array | null;
  /** Probability map shown while a fine-tune runs: the last prediction with live previews pasted in. */
  preview: Float32Array | null;
  /** A ground-truth label image the user loaded to score the prediction against (evaluationSlice.ts). */
  truth?: RasterImage;
  /**
   * What a cancelled segmentation had finished (NaN where no tile ran), shown until the image is segmented;
   * never exported or counted as a result.
   */
  partial: PartialPrediction | null;
}

/** Which model made a prediction, and with which post-processing (see ImagePixels.madeWith). */
export interface MadeWith {
  readonly modelId: string | null;
  readonly settings: PostProcessing;
  /**
   * The object scale the image was segmented at (src/model/objectScale.ts); the settings' pixel values are
   * in the model's pixels and apply at it (atObjectScale). Absent: 1.
   */
  readonly scale?: number;
}

/** The finished tiles of a cancelled segmentation under prediction key `key`. */
export interface PartialPrediction {
  readonly key: string;
  readonly probabilities: Float32Array;
  readonly tilesDone: number;
  readonly tilesTotal: number;
}

const registry = new Map<string, ImagePixels>();

/** Registers a decoded image. */
export function addPixels(id: string, raster: RasterImage, source: Blob | null = null): ImagePixels {
  const entry: ImagePixels = { raster, source, labels: null, history: createHistory(), predictions: new Map(), madeWith: new Map(), instances: null, heldOut: null, preview: null, partial: null };
  registry.set(id, entry);
  return entry;
}

export function getPixels(id: string | null): ImagePixels | undefined {
  return id === null ? undefined : registry.get(id);
}

export function removePixels(id: string): void {
  registry.delete(id);
}

/** The image's label canvas, created (all unlabelled) when first needed. */
export function ensureLabels(entry: ImagePixels): LabelCanvas {
  entry.labels ??= createLabelCanvas(entry.raster.width, entry.raster.height);
  return entry.labels;
}
