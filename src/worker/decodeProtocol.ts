/**
 * Typed messages of the image worker (decodeEntry.ts): decoding files, thumbnails, objects after a
 * change of post-processing settings, scoring against ground truth and export encoding, all off the main thread. Every request has an `id` and gets exactly one answer
 * with that id (`ok` or `error`). Pixel buffers travel in the transfer list where the sender gives them
 * up. Types only: importing this file never pulls worker code into the main bundle.
 */

import type { ScoreOptions } from '../image/evaluation';
import type { ExportFile, ExportRequest } from '../image/export';
import type { ImageObjects } from '../image/imageObjects';
import type { PostProcessing } from '../image/postProcessing';
import type { ImageDecodeErrorCode } from '../image/errors';
import type { RasterImage } from '../image/types';

/** One decoded page with a small preview for the image list. */
export interface DecodedPage {
  readonly raster: RasterImage;
  /** PNG thumbnail (longest side <= the requested size), auto-contrast; null if the browser cannot encode. */
  readonly thumbnail: Blob | null;
}

/** Parameters and results per command. */
export interface ImageCommandMap {
  /** Decodes a file (PNG/TIFF here, JPEG/GIF/BMP/WebP through createImageBitmap). */
  decode: {
    params: { readonly file: Blob; readonly name: string; readonly thumbnailSize: number };
    result: { readonly pages: DecodedPage[] };
  };
  /**
   * Objects and their measurements from a probability map under post-processing settings (the user
   * changed the settings; a segmentation's first objects come from the model worker). Buffers transferred.
   */
  objects: {
    params: {
      readonly probability: Float32Array;
      readonly width: number;
      readonly height: number;
      readonly settings: PostProcessing;
      /** Raw values to measure (W*H): the image's channel mean. */
      readonly intensity: Float32Array;
    };
    result: ImageObjects;
  };
  /**
   * Scores a probability map against a ground-truth label image (src/image/evaluation.ts, as `npm run
   * evaluate`). Unusable ground truth (wrong size, nothing of a class) is an error named
   * `GroundTruthError` whose message says why.
   */
  evaluate: {
    /**
     * `probability` is the image's map (width x height); the truth must have the same size. Without a
     * probability (null: not segmented yet) the truth is only checked, and `metrics` is null.
     */
    params: { readonly probability: Float32Array | null; readonly width: number; readonly height: number; readonly truth: RasterImage; readonly options: ScoreOptions };
    result: { readonly metrics: Record<string, number> | null };
  };
  /** The export files of one image (PNG encoding is the slow part). */
  export: {
    params: { readonly request: ExportRequest };
    result: { readonly files: ExportFile[] };
  };
  /** Deflates a painted-label plane for the stored session (src/image/labelCodec.ts); the plane is transferred. */
  packLabels: {
    params: { readonly data: Uint8Array };
    result: { readonly packed: Uint8Array };
  };
  /**
   * The viewer's overlay bitmaps of a probability map (one) or of instances (fill, outline), drawn here so
   * the main thread only scales them. The input buffer is transferred.
   */
  overlay: {
    params:
      | { readonly kind: 'probability'; readonly probability: Float32Array; readonly width: number; readonly height: number }
      | { readonly kind: 'instances'; readonly labels: Uint32Array; readonly count: number; readonly width: number; readonly height: number };
    result: { readonly bitmaps: ImageBitmap[] };
  };
  /** Packs files into one ZIP archive. */
  zip: {
    params: { readonly files: readonly ExportFile[] };
    result: { readonly bytes: Uint8Array };
  };
}

export type ImageCommand = keyof ImageCommandMap;
export type ImageParams<K extends ImageCommand> = ImageCommandMap[K]['params'];
export type ImageResult<K extends ImageCommand> = ImageCommandMap[K]['result'];

export type ImageRequest = { [K in ImageCommand]: { readonly type: K; readonly id: number; readonly params: ImageParams<K> } }[ImageCommand];

/** A failure the user can act on; `code` is set for decode errors (see src/image/errors.ts). */
export interface ImageWorkerError {
  readonly name: string;
  readonly message: string;
  readonly code?: ImageDecodeErrorCode;
}

export type ImageResponse =
  | { [K in ImageCommand]: { readonly type: 'ok'; readonly id: number; readonly command: K; readonly result: ImageResult<K> } }[ImageCommand]
  | { readonly type: 'error'; readonly id: number; readonly error: ImageWorkerError };
