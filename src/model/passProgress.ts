/**
 * One progress bar over the 1-4 passes of a segmentation at the object scale (objectScale.ts): each pass
 * reports its own tiles, so a plain relay would restart the bar at every pass. Reported instead are the
 * tiles done and the tiles expected over all passes: the finished passes' tiles, the current pass's, and
 * the current pass's count again for each pass the plan still expects (a later pass's size is unknown
 * until its scale is). Where that estimate proves too low (a later pass grows the image) the fraction
 * would fall back; such reports are held back until the run catches up, so the bar never moves backwards.
 * A pass that the estimate counted but that never runs makes the bar jump forward at the end.
 */
import type { PassPlan } from './objectScale';

/** Tile progress of one pass, or of the whole run. */
export interface TileProgress {
  readonly tilesDone: number;
  readonly tilesTotal: number;
  readonly etaMs: number;
}

export interface PassProgress {
  /** A new pass starts (the previous one counts as finished). */
  startPass(plan: PassPlan): void;
  /** A report of the current pass as progress over the run, or null when it would move the bar back. */
  update(progress: TileProgress): TileProgress | null;
}

export function createPassProgress(): PassProgress {
  let plan: PassPlan | null = null;
  /** Tiles of the passes that finished. */
  let finished = 0;
  /** Tiles of the current pass (its total once known). */
  let current = 0;
  let shown = 0;
  return {
    startPass(next) {
      if (plan) finished += current;
      plan = next;
      current = 0;
    },
    update({ tilesDone, tilesTotal, etaMs }) {
      const { pass, expectedPasses } = plan ?? { pass: 1, expectedPasses: 1 };
      current = tilesTotal;
      const later = Math.max(0, expectedPasses - pass) * tilesTotal;
      const done = finished + tilesDone;
      const total = finished + tilesTotal + later;
      const fraction = total > 0 ? done / total : 0;
      if (fraction < shown) return null;
      shown = fraction;
      // The pass's own ETA covers its remaining tiles; later passes are assumed to run at the same pace.
      const left = tilesTotal - tilesDone;
      const eta = left > 0 ? (etaMs * (total - done)) / left : etaMs;
      return { tilesDone: done, tilesTotal: total, etaMs: eta };
    },
  };
}
