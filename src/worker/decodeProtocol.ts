/**
 * Typed messages of the image worker (decodeEntry.ts): decoding files, thumbnails, connected components
 * and export encoding, all off the main thread. Every request has an `id` and gets exactly one answer
 * with that id (`ok` or `error`). Pixel buffers travel in the transfer list where the sender gives them
 * up. Types only: importing this file never pulls worker code into the main bundle.
 */

import type { ExportFile, ExportRequest } from '../image/export';
import type { ImageDecodeErrorCode } from '../image/errors';
import type { RasterImage } from '../image/types';

/** One decoded page with a small preview for the image list. */
export interface DecodedPage {
  readonly raster: RasterImage;
  /** PNG thumbnail (longest side <= the requested size), auto-contrast; null if the browser cannot encode. */
  readonly thumbnail: Blob | null;
}

/** Instances computed from a probability map. */
export interface ComponentsResult {
  readonly labels: Uint32Array;
  readonly count: number;
  /** sizes[k] = pixels of object k (sizes[0] = background). */
  readonly sizes: Uint32Array;
  /** Pixels of kept objects (what NAME_mask.png marks 255). */
  readonly foreground: number;
}

/** Parameters and results per command. */
export interface ImageCommandMap {
  /** Decodes a file (PNG/TIFF here, JPEG/GIF/BMP/WebP through createImageBitmap). */
  decode: {
    params: { readonly file: Blob; readonly name: string; readonly thumbnailSize: number };
    result: { readonly pages: DecodedPage[] };
  };
  /** Threshold + connected components + minimum size. The probability buffer is transferred. */
  components: {
    params: {
      readonly probability: Float32Array;
      readonly width: number;
      readonly height: number;
      readonly threshold: number;
      readonly connectivity: 4 | 8;
      readonly minSize: number;
    };
    result: ComponentsResult;
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
