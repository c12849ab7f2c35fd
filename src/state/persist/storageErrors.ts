/*
 * What went wrong with storage, in the user's words. The app keeps working in memory whatever happens
 * here; the message says what is not being kept and what still works (export).
 */

export type StorageProblem = 'quota' | 'unavailable' | 'failed';

export interface StorageFailure {
  readonly problem: StorageProblem;
  readonly message: string;
}

function nameOf(error: unknown): string {
  if (error && typeof error === 'object' && 'name' in error && typeof error.name === 'string') return error.name;
  return '';
}

/** True for a full disk or a spent quota (Chrome's QuotaExceededError, Firefox's older NS_ERROR_DOM_QUOTA_REACHED). */
export function isQuotaError(error: unknown): boolean {
  const name = nameOf(error);
  if (name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED') return true;
  // A transaction aborted by the quota carries the cause as its error.
  const inner = error && typeof error === 'object' && 'error' in error ? (error as { error: unknown }).error : null;
  return inner !== null && inner !== error && isQuotaError(inner);
}

const KEEP_GOING = 'You can go on working and export as usual; what you do now is not kept for the next visit.';

/** The message for a storage error during `what` ("saving", "opening the stored session"). */
export function describeStorageError(error: unknown, what: 'open' | 'save'): StorageFailure {
  if (isQuotaError(error)) {
    return {
      problem: 'quota',
      message: `The browser's storage for this site is full, so the session is no longer saved. ${KEEP_GOING} Free space (remove images, or clear the session, under the session badge in the header), then "Save again".`,
    };
  }
  const detail = error instanceof Error && error.message ? ` (${error.message})` : '';
  if (what === 'open') {
    return {
      problem: 'unavailable',
      message: `This browser does not let the app store its session${detail} — private mode or blocked site data? ${KEEP_GOING}`,
    };
  }
  return { problem: 'failed', message: `Saving the session failed${detail}. ${KEEP_GOING}` };
}
