/*
 * One writer per session: the tab that holds the Web Lock saves; another tab on the same session opens it
 * read-only and never writes, so two tabs cannot interleave their saves into a mix of both.
 */

export const LOCK_NAME = 'unet-studio-session-writer';

/** Takes the writer lock if no other tab holds it and keeps it for the page's lifetime; false if another tab has it. */
export async function acquireWriterLock(locks: LockManager | undefined = globalThis.navigator?.locks): Promise<boolean> {
  // Without the Web Locks API (very old browsers) a single tab is the only safe assumption.
  if (!locks) return true;
  return new Promise<boolean>((resolve) => {
    locks
      .request(LOCK_NAME, { ifAvailable: true }, (lock) => {
        resolve(lock !== null);
        // Held until the page goes away.
        return lock ? new Promise<void>(() => {}) : undefined;
      })
      .catch(() => resolve(true));
  });
}
