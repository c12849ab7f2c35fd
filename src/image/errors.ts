/**
 * Why a file could not be decoded. The app shows `message` in a toast next to the file name and keeps
 * the other files; `code` lets callers branch (e.g. hand 'needs-browser-decoder' files to
 * createImageBitmap instead of reporting an error).
 */
export type ImageDecodeErrorCode =
  | 'empty'
  | 'truncated'
  | 'unknown-format'
  | 'unsupported'
  | 'corrupt'
  | 'too-large'
  | 'needs-browser-decoder';

/** A decode failure with a message a biologist can act on. Never wraps a raw library stack trace. */
export class ImageDecodeError extends Error {
  override readonly name = 'ImageDecodeError';
  readonly code: ImageDecodeErrorCode;
  readonly fileName: string;

  constructor(code: ImageDecodeErrorCode, fileName: string, message: string) {
    super(fileName ? `${fileName}: ${message}` : message);
    this.code = code;
    this.fileName = fileName;
  }
}

/** True for an ImageDecodeError (also across realms/workers where `instanceof` may fail after cloning). */
export function isImageDecodeError(e: unknown): e is ImageDecodeError {
  return e instanceof ImageDecodeError || (e instanceof Error && e.name === 'ImageDecodeError' && 'code' in e);
}
