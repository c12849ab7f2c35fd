import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { beginStroke } from '../../image/history';
import { paintSegment } from '../../image/labels';
import { addPixels, ensureLabels } from '../pixels';
import { useStudio } from '../store';
import { describeStorageError, isQuotaError } from './storageErrors';
import { acquireWriterLock } from './writerLock';

/** A LockManager with `ifAvailable` semantics, for Node (which has no Web Locks). */
function fakeLocks(): LockManager {
  const held = new Set<string>();
  return {
    request: (async (name: string, _options: LockOptions, callback: (lock: Lock | null) => unknown) => {
      if (held.has(name)) return callback(null);
      held.add(name);
      try {
        return await callback({ name, mode: 'exclusive' } as Lock);
      } finally {
        held.delete(name);
      }
    }) as LockManager['request'],
    query: async () => ({ held: [], pending: [] }),
  };
}

describe('one writer per session', () => {
  it('the first tab gets the lock, a second one is refused while the first lives', async () => {
    const locks = fakeLocks();
    expect(await acquireWriterLock(locks)).toBe(true);
    expect(await acquireWriterLock(locks)).toBe(false);
  });
});

describe('storage errors', () => {
  it('a quota error is told apart from other failures, also inside an aborted transaction', () => {
    const quota = new DOMException('full', 'QuotaExceededError');
    expect(isQuotaError(quota)).toBe(true);
    expect(isQuotaError({ name: 'AbortError', error: quota })).toBe(true);
    expect(isQuotaError(new DOMException('x', 'InvalidStateError'))).toBe(false);
    expect(describeStorageError(quota, 'save').problem).toBe('quota');
    expect(describeStorageError(new Error('blocked'), 'open')).toMatchObject({ problem: 'unavailable' });
  });
});

describe('when storage is full', () => {
  it('saving stops with a message that stays, and the work in memory goes on', async () => {
    const store = useStudio;
    await store.getState().startPersistence();
    expect(store.getState().persistStatus).toBe('saved');
    const original = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function put() {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    try {
      const px = addPixels('q', { width: 8, height: 8, channels: 1, bitDepth: 8, data: new Uint8Array(64) }, new Blob([new Uint8Array([1])]));
      store.setState({
        images: [{ id: 'q', name: 'q.png', path: 'q.png', exportName: 'q', page: 1, pageCount: 1, width: 8, height: 8, channels: 1, bitDepth: 8, fileBytes: 1, thumbnailUrl: null, channel: 'mean', modelId: null, fingerprint: 'fq' }],
        selectedId: 'q',
      });
      expect(store.getState().persistStatus).toBe('saving');
      await store.getState().flushSession();
      expect(store.getState().persistStatus).toBe('failed');
      expect(store.getState().persistMessage).toMatch(/storage for this site is full.*export as usual/);
      // Painting goes on: a stroke is recorded as before and nothing throws.
      const canvas = ensureLabels(px);
      const stroke = beginStroke(canvas);
      paintSegment(canvas, 1, 1, 6, 1, 2, 2, stroke.extend);
      store.getState().finishStep('q', stroke.commit());
      expect(store.getState().labelStats.q.foreground).toBeGreaterThan(0);
      await store.getState().flushSession();
      expect(store.getState().persistStatus).toBe('failed');
      expect(store.getState().images).toHaveLength(1);
    } finally {
      IDBObjectStore.prototype.put = original;
    }
    // Space was freed: "Save again" writes the whole session, labels painted meanwhile included.
    expect(store.getState().persistProblem).toBe('quota');
    await store.getState().retrySaving();
    expect(store.getState().persistStatus).toBe('saved');
    expect(store.getState().persistMessage).toBeNull();
  });
});
