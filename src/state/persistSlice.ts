import type { StateCreator } from 'zustand';
import { getWorkerClient } from './client';
import { uniqueLabel } from './librarySlice';
import { packLabels } from '../image/labelCodec';
import { getImageWorker } from './imageWorker';
import { getPixels } from './pixels';
import { createDebouncer, diffState, emptyDirty, isClean, mergeDirty, type Debouncer, type Dirty } from './persist/autosave';
import { openSessionDb, storeNames, type SessionDb } from './persist/db';
import type { CheckpointRecord } from './persist/records';
import { isEmptySession, readSession, restoreSession } from './persist/restore';
import { createRestoreTarget } from './persist/restoreTarget';
import { writeDirty } from './persist/save';
import { describeStorageError, type StorageProblem } from './persist/storageErrors';
import { acquireWriterLock } from './persist/writerLock';
import type { StudioState } from './store';

/*
 * The session kept in IndexedDB (src/state/persist/): restored on start, saved ~600 ms after the last
 * change, read-only in a second tab, and out of the way when storage fails (the app goes on in memory).
 */

/**
 * 'off': not started; 'restoring': reading the stored session; 'saving': changes wait to be written;
 * 'saved': everything is stored; 'readonly': another tab writes this session; 'failed': storage refused.
 */
export type PersistStatus = 'off' | 'restoring' | 'saving' | 'saved' | 'readonly' | 'failed';

export interface StorageUsage {
  /** navigator.storage.estimate(): bytes this origin uses and may use (null where unknown). */
  readonly used: number | null;
  readonly quota: number | null;
  /** Our own count per image: file + labels (packed) + results. */
  readonly images: Readonly<Record<string, number>>;
  readonly models: number;
}

export interface ResumeOffer {
  readonly step: number;
  readonly name: string;
  readonly parentName: string;
  readonly requestedSteps: number;
}

export interface PersistSlice {
  persistStatus: PersistStatus;
  /** A persistent, non-blocking explanation (storage full or denied, read-only tab), or null. */
  persistMessage: string | null;
  /** Why saving stopped ('failed' status only): a full storage may be retried after freeing space. */
  persistProblem: StorageProblem | null;
  /** Milliseconds the last write took. */
  lastSaveMs: number | null;
  storageUsage: StorageUsage | null;
  resumeOffer: ResumeOffer | null;
  /** Step of the fine-tune checkpoint stored last in this page (null: none). */
  checkpointStep: number | null;
  /** Opens the stored session, restores it, and starts saving (once per page). */
  startPersistence(): Promise<void>;
  /** Writes pending changes now (before an export or a fine-tune, and when the page hides). */
  flushSession(): Promise<void>;
  refreshStorage(): Promise<void>;
  /** Removes every image and kept model, here and in storage. */
  clearSession(): Promise<void>;
  /** After a failed save (storage full, space freed since): writes the whole session again. */
  retrySaving(): Promise<void>;
  /** Stores the best weights of the running fine-tune (validation improved at `step`). */
  saveCheckpoint(step: number, zip: Uint8Array): void;
  /** Forgets the checkpoint (the run ended and became a model, or failed). */
  dropCheckpoint(): void;
  /** Brings the checkpoint back as a kept model and fine-tunes it for the steps that were left. */
  resumeFromCheckpoint(): Promise<void>;
  discardCheckpoint(): Promise<void>;
}

export const initialPersistState = {
  persistStatus: 'off' as PersistStatus,
  persistMessage: null as string | null,
  persistProblem: null as StorageProblem | null,
  lastSaveMs: null as number | null,
  storageUsage: null as StorageUsage | null,
  resumeOffer: null as ResumeOffer | null,
  checkpointStep: null as number | null,
};

export const SAVE_DELAY_MS = 600;

let db: SessionDb | null = null;
let started = false;
let writable = false;
/** This tab holds the writer lock (it stays held when a save fails, so a retry may write again). */
let lockHeld = false;
let dirty: Dirty = emptyDirty();
let saver: Debouncer | null = null;
let stopTracking: () => void = () => {};

export const createPersistSlice: StateCreator<StudioState, [], [], PersistSlice> = (set, get, api) => {
  const fail = (error: unknown, what: 'open' | 'save') => {
    const { message, problem } = describeStorageError(error, what);
    writable = false;
    saver?.cancel();
    stopTracking();
    set({ persistStatus: 'failed', persistMessage: message, persistProblem: problem });
  };

  const save = async () => {
    if (!db || !writable) return;
    const taken = dirty;
    dirty = emptyDirty();
    if (isClean(taken)) return;
    const t0 = performance.now();
    try {
      await writeDirty(taken, {
        db,
        state: get,
        pixels: (id) => getPixels(id),
        packModel: async (id) => {
          const model = await get().ensureModel(id);
          const { bytes } = await getWorkerClient().call('packageModel', { id, format: 'zip' });
          return { revision: model.revision, zip: bytes };
        },
        // Off the main thread; where no worker can start (Node tests) the same codec runs here.
        packLabels: async (data) =>
          typeof Worker === 'undefined' ? packLabels(data) : (await getImageWorker().call('packLabels', { data }, [data.buffer as ArrayBuffer])).packed,
      });
      set({ lastSaveMs: Math.round(performance.now() - t0) });
    } catch (error) {
      // Nothing is forgotten: a later retry (after freeing space) writes it all.
      dirty = mergeDirty(taken, dirty);
      fail(error, 'save');
      return;
    }
    // Changes made during the write are dirty again and scheduled: only then is the badge still "Saving…".
    if (isClean(dirty)) set({ persistStatus: 'saved' });
  };

  const mark = (d: Dirty) => {
    if (isClean(d) || !writable) return;
    mergeDirty(dirty, d);
    if (get().persistStatus === 'saved') set({ persistStatus: 'saving' });
    saver?.schedule();
  };

  const track = () => {
    stopTracking = api.subscribe((next, prev) => mark(diffState(prev, next)));
  };

  const restoreTarget = createRestoreTarget(set, get);

  /** The model list (shipped models) is in before kept models and images come back. */
  const modelsListed = () =>
    new Promise<void>((resolve) => {
      if (get().models.length > 0) return resolve();
      const stop = api.subscribe((s) => {
        if (s.models.length > 0) {
          stop();
          resolve();
        }
      });
    });

  return {
    ...initialPersistState,

    async startPersistence() {
      if (started) return;
      started = true;
      set({ persistStatus: 'restoring' });
      try {
        db = await openSessionDb();
      } catch (error) {
        fail(error, 'open');
        return;
      }
      lockHeld = await acquireWriterLock();
      writable = lockHeld;
      saver = createDebouncer(SAVE_DELAY_MS, save);
      // Changes made while the stored session comes back are tracked and written once it is in.
      if (writable) track();
      let stored;
      try {
        stored = await readSession(db);
      } catch (error) {
        fail(error, 'open');
        return;
      }
      if (!isEmptySession(stored)) {
        await modelsListed();
        const report = await restoreSession(stored, restoreTarget);
        const order = new Map(stored.images.map((i) => [i.id, i.order]));
        set((s) => ({ images: [...s.images].sort((a, b) => (order.get(a.id) ?? 1e9) - (order.get(b.id) ?? 1e9)) }));
        for (const problem of report.problems) get().notify('warning', problem);
        if (report.images + report.models > 0) {
          get().setStatus(
            `Restored the last session: ${report.images} image${report.images === 1 ? '' : 's'}, ${report.labels} with painted labels, ${report.results} result${report.results === 1 ? '' : 's'}, ${report.models} kept model${report.models === 1 ? '' : 's'}.`,
          );
        }
        if (stored.checkpoint && writable) {
          const c = stored.checkpoint;
          set({ resumeOffer: { step: c.step, name: c.name, parentName: c.parentName, requestedSteps: c.requestedSteps } });
        }
      }
      if (!writable) {
        set({
          persistStatus: 'readonly',
          persistMessage: 'This session is open in another tab, which saves it. This tab shows it read-only: nothing you change here is saved (export still works). Close the other tab and reload to work here.',
        });
        return;
      }
      set({ persistStatus: isClean(dirty) ? 'saved' : 'saving' });
      if (!isClean(dirty)) saver.schedule();
      // A hidden page may be closed without notice: write what waits.
      if (typeof window !== 'undefined') window.addEventListener('pagehide', () => void saver?.flush());
      if (typeof document !== 'undefined') {
        document.addEventListener('visibilitychange', () => {
          if (document.visibilityState === 'hidden') void saver?.flush();
        });
      }
    },

    async flushSession() {
      await saver?.flush();
    },

    async refreshStorage() {
      const state = get();
      const images: Record<string, number> = {};
      // The stored (packed) label sizes; results are width x height float32 each.
      const labelBytes = new Map<string, number>();
      if (db) for (const l of await db.getAll('labels').catch(() => [])) labelBytes.set(l.id, l.packed.length);
      for (const image of state.images) {
        let bytes = image.fileBytes / image.pageCount + (labelBytes.get(image.id) ?? 0);
        bytes += (state.segmented[image.id]?.length ?? 0) * image.width * image.height * 4;
        images[image.id] = Math.round(bytes);
      }
      let models = 0;
      if (db) for (const m of await db.getAll('models').catch(() => [])) models += m.zip.length;
      let used: number | null = null;
      let quota: number | null = null;
      try {
        const estimate = await globalThis.navigator?.storage?.estimate();
        used = estimate?.usage ?? null;
        quota = estimate?.quota ?? null;
      } catch {
        // Unknown: the panel shows our own count only.
      }
      set({ storageUsage: { used, quota, images, models } });
    },

    async clearSession() {
      const state = get();
      for (const image of [...state.images]) get().removeImage(image.id);
      for (const m of state.models.filter((e) => e.source.kind === 'session')) await get().discardModel(m.id);
      saver?.cancel();
      dirty = emptyDirty();
      set({ resumeOffer: null });
      if (db && writable) {
        try {
          const tx = db.transaction([...storeNames], 'readwrite');
          await Promise.all([...storeNames.map((n) => tx.objectStore(n).clear()), tx.done]);
          // Settings stay what they are now: write them back.
          mark({ ...emptyDirty(), settings: true, session: true });
        } catch (error) {
          fail(error, 'save');
        }
      }
      get().setStatus('Cleared the session: no images or kept models are stored.');
      await get().refreshStorage();
    },

    async retrySaving() {
      if (!db || !lockHeld || writable) return;
      writable = true;
      const ids = new Set(get().images.map((i) => i.id));
      dirty = { images: true, labels: new Set(ids), results: new Set(ids), models: true, settings: true, session: true };
      set({ persistStatus: 'saving', persistMessage: null, persistProblem: null });
      track();
      saver?.schedule();
      await saver?.flush();
    },

    saveCheckpoint(step, zip) {
      const run = get().trainRun;
      if (!db || !writable || !run) return;
      const record: CheckpointRecord = {
        runId: run.runId,
        parentId: run.parentId,
        parentName: run.parentName,
        modelId: run.modelId,
        name: run.name,
        step,
        requestedSteps: run.steps,
        zip,
        savedAt: new Date().toISOString(),
      };
      db.put('checkpoint', record, 'current').then(
        () => set({ checkpointStep: step }),
        (error: unknown) => fail(error, 'save'),
      );
    },

    dropCheckpoint() {
      set({ checkpointStep: null });
      if (db && writable) db.delete('checkpoint', 'current').catch((error: unknown) => fail(error, 'save'));
    },

    async resumeFromCheckpoint() {
      const offer = get().resumeOffer;
      if (!db || !offer) return;
      set({ resumeOffer: null });
      const c = await db.get('checkpoint', 'current');
      if (!c) return;
      try {
        const id = get().models.some((m) => m.id === c.modelId) ? crypto.randomUUID() : c.modelId;
        const label = uniqueLabel(get().models, `${c.name} (checkpoint, step ${c.step})`);
        await restoreTarget.addModel({ id, order: 0, label, revision: '', zip: c.zip, origin: { kind: 'imported', from: `the best checkpoint (step ${c.step}) of an interrupted fine-tune of ${c.parentName}` } });
        await db.delete('checkpoint', 'current');
        await get().loadModel(id);
        // The steps the interrupted run had left; the user's own setting comes back once the run started.
        const overrides = get().trainOverrides;
        get().setTrainOverrides({ steps: Math.max(1, c.requestedSteps - c.step) });
        const training = get().trainOnPaintedLabels();
        set({ trainOverrides: overrides });
        await training;
      } catch (error) {
        get().notify('error', `Could not resume from the checkpoint: ${error instanceof Error ? error.message : String(error)}`);
      }
    },

    async discardCheckpoint() {
      set({ resumeOffer: null });
      if (db && writable) await db.delete('checkpoint', 'current').catch((error: unknown) => fail(error, 'save'));
    },
  };
};
