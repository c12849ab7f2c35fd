/*
 * Cancellation without the DOM: src/model is type-checked with lib ES2023 only, so neither AbortSignal
 * nor DOMException exist as types. Callers pass a real AbortSignal (browser, worker, Node); we only read
 * the two fields below, and throw an error shaped like the DOMException browsers use ('AbortError'), so
 * code that checks `err.name === 'AbortError'` works the same in every realm.
 */

/** The part of AbortSignal that cancellation needs. */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
}

/** Thrown when an operation is cancelled through its signal; `name` is 'AbortError' like DOMException. */
export class AbortError extends Error {
  override readonly name = 'AbortError';
  /** DOMException.ABORT_ERR, for code that still checks the legacy code. */
  readonly code = 20;

  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Throws an AbortError (carrying the signal's reason as `cause`) if the signal has been aborted. */
export function throwIfAborted(signal: AbortSignalLike | undefined, what = 'The operation'): void {
  if (signal?.aborted) throw new AbortError(`${what} was cancelled`, { cause: signal.reason });
}

/** True for our AbortError and for any DOMException-like error named 'AbortError'. */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
