import type { StateCreator } from 'zustand';
import { splitRegions } from '../image/regionSplit';
import { getPixels } from './pixels';
import type { StudioState } from './store';

/** Seed of the region split: the same labels are always split the same way (as in the train CLI). */
export const SPLIT_SEED = 1;

/** Region counts of one image's painted labels under the validation split. */
export interface SplitSummary {
  readonly regions: number;
  readonly heldOutRegions: number;
}

/**
 * The validation split of the painted labels, computed on the main thread with the same splitRegions the
 * worker, CLI and benchmark use, so the viewer can hatch what a fine-tune would hold out. During a run the
 * held-out labels are frozen at the run's start (later strokes only train) and the split is not recomputed.
 */
export interface SplitSlice {
  /** No validation split: every painted label trains (and nothing guards against a worse model). */
  useAllLabels: boolean;
  splits: Record<string, SplitSummary>;
  /** Bumped when held-out masks change (the label layer redraws them hatched). */
  heldOutVersion: number;
  setUseAllLabels(value: boolean): void;
  /** Recomputes the split of image `id` shortly (strokes come in bursts). */
  scheduleSplit(id: string): void;
  /** Recomputes the split of the given images now (all painted ones by default). */
  refreshSplits(ids?: readonly string[]): void;
  /** Computes the splits still waiting for their debounce. */
  flushSplits(): void;
}

export const initialSplitState = {
  useAllLabels: false,
  splits: {} as Record<string, SplitSummary>,
  heldOutVersion: 0,
};

const timers = new Map<string, ReturnType<typeof setTimeout>>();

export const createSplitSlice: StateCreator<StudioState, [], [], SplitSlice> = (set, get) => {
  const compute = (id: string) => {
    timers.delete(id);
    const px = getPixels(id);
    if (!px || get().trainRun) return;
    const labels = px.labels;
    const painted = labels?.data.some((v) => v !== 0) ?? false;
    const fraction = get().model?.recipe.fineTune.validationFraction ?? 0.2;
    const split = labels && painted ? splitRegions(labels.data, labels.width, labels.height, { fraction, seed: SPLIT_SEED }) : null;
    px.heldOut = split && !get().useAllLabels && split.heldOutRegions > 0 ? split.validation : null;
    set((s) => ({
      splits: { ...s.splits, [id]: { regions: split?.regions ?? 0, heldOutRegions: split?.heldOutRegions ?? 0 } },
      heldOutVersion: s.heldOutVersion + 1,
    }));
  };

  return {
    ...initialSplitState,

    setUseAllLabels(value) {
      set({ useAllLabels: value });
      get().refreshSplits();
    },

    scheduleSplit(id) {
      const timer = timers.get(id);
      if (timer) clearTimeout(timer);
      timers.set(id, setTimeout(() => compute(id), 200));
    },

    refreshSplits(ids) {
      const list = ids ?? get().images.filter((i) => getPixels(i.id)?.labels).map((i) => i.id);
      for (const id of list) compute(id);
    },

    flushSplits() {
      for (const [id, timer] of timers) {
        clearTimeout(timer);
        compute(id);
      }
    },
  };
};
