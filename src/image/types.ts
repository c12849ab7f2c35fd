/**
 * Pixel data as every layer sees it: interleaved channels, row-major, top-left origin.
 * 8-bit data is Uint8Array, 16-bit Uint16Array, 32-bit float Float32Array.
 */
export type PixelArray = Uint8Array | Uint16Array | Float32Array;

export interface RasterImage {
  readonly width: number;
  readonly height: number;
  /** Interleaved channels per pixel: 1 (grey), 3 (RGB) or 4 (RGBA). */
  readonly channels: 1 | 3 | 4;
  /** Bits per sample of the source: 8, 16 or 32 (float). */
  readonly bitDepth: 8 | 16 | 32;
  readonly data: PixelArray;
}

/** A single-channel float plane, the form the model consumes and produces. */
export interface FloatPlane {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}
