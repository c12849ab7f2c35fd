import type { StudioState } from '../store';
import { settingsOf, type SettingsSource } from './serialise';

/*
 * What changed since the last look, and when to write it. The tracker compares store snapshots by
 * reference (zustand replaces what changes), so it costs nothing per pointer move; the debouncer writes
 * once the user pauses, never in the middle of a stroke (a stroke changes the store only when it ends).
 */

/** What must be written. */
export interface Dirty {
  /** The image list (records, order); removed images take their labels and results with them. */
  images: boolean;
  labels: Set<string>;
  results: Set<string>;
  /** Kept models (new ones, renames, deletions). */
  models: boolean;
  settings: boolean;
  session: boolean;
}

export function emptyDirty(): Dirty {
  return { images: false, labels: new Set(), results: new Set(), models: false, settings: false, session: false };
}

export function isClean(d: Dirty): boolean {
  return !d.images && d.labels.size === 0 && d.results.size === 0 && !d.models && !d.settings && !d.session;
}

/** Adds `more` into `into`. */
export function mergeDirty(into: Dirty, more: Dirty): Dirty {
  into.images ||= more.images;
  for (const id of more.labels) into.labels.add(id);
  for (const id of more.results) into.results.add(id);
  into.models ||= more.models;
  into.settings ||= more.settings;
  into.session ||= more.session;
  return into;
}

export type Tracked = SettingsSource & Pick<StudioState, 'images' | 'labelStats' | 'segmented' | 'models' | 'selectedId' | 'modelId'>;

function changedKeys<T>(a: Readonly<Record<string, T>>, b: Readonly<Record<string, T>>): string[] {
  if (a === b) return [];
  const out: string[] = [];
  for (const k of Object.keys(b)) if (a[k] !== b[k]) out.push(k);
  return out;
}

function sameSettings(a: SettingsSource, b: SettingsSource): boolean {
  return JSON.stringify(settingsOf(a)) === JSON.stringify(settingsOf(b));
}

/** What the step from `prev` to `next` asks to be written. */
export function diffState(prev: Tracked, next: Tracked): Dirty {
  const d = emptyDirty();
  d.images = prev.images !== next.images;
  for (const id of changedKeys(prev.labelStats, next.labelStats)) d.labels.add(id);
  for (const id of changedKeys(prev.segmented, next.segmented)) d.results.add(id);
  d.models = prev.models !== next.models;
  d.session = prev.selectedId !== next.selectedId || prev.modelId !== next.modelId;
  const settingsTouched =
    prev.classes !== next.classes ||
    prev.postProcessing !== next.postProcessing ||
    prev.diameterOverrides !== next.diameterOverrides ||
    prev.segmentOptions !== next.segmentOptions ||
    prev.brushSize !== next.brushSize ||
    prev.activeClass !== next.activeClass ||
    prev.overlays !== next.overlays ||
    prev.trainOverrides !== next.trainOverrides ||
    prev.previewEvery !== next.previewEvery ||
    prev.useAllLabels !== next.useAllLabels;
  d.settings = settingsTouched && !sameSettings(prev, next);
  return d;
}

export interface Debouncer {
  /** Runs the action `delayMs` after the last call (a new call restarts the wait). */
  schedule(): void;
  /** Runs it now if something is scheduled (or still running); resolves when the write is done. */
  flush(): Promise<void>;
  readonly pending: boolean;
  cancel(): void;
}

/** A trailing debounce whose runs never overlap: a change during a write is written right after it. */
export function createDebouncer(delayMs: number, action: () => Promise<void>): Debouncer {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> | null = null;
  let again = false;

  const start = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await action();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };

  return {
    schedule() {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void start(), delayMs);
    },
    flush() {
      if (timer || running) return start();
      return Promise.resolve();
    },
    get pending() {
      return timer !== null || running !== null;
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
