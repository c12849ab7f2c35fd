/**
 * Keep-best bookkeeping of a fine-tune: the starting weights, the best validated weights so far and
 * their scores. The starting weights are kept for the whole run (a copy of the parameters), so that
 * "not better than the start" can restore them bit-exactly and so that a changed held-out set (new
 * strokes during training) can re-score the start on it.
 */
import type { ValidationPoint, ValidationScore } from './fineTuneTypes';
import type { Segmenter } from './types';
import { isBetter, scoreValidation } from './validation';
import type { ValidationPlan } from './validation';
import { snapshotWeights } from './weightSnapshot';
import type { WeightSnapshot } from './weightSnapshot';

/** What a finished run keeps. */
export interface KeptWeights {
  readonly kept: 'tuned' | 'start';
  readonly bestStep: number;
  readonly before: ValidationScore | null;
  readonly after: ValidationScore | null;
}

/** Tracks the best weights of a run. */
export interface KeepBest {
  /** Score of the starting weights on the current held-out set (null when nothing is held out). */
  readonly before: ValidationScore | null;
  /** Validations run (for the ETA) and their total time. */
  readonly validations: number;
  readonly validationMs: number;
  /** Scores the current weights; keeps them if better than the best. Returns null without a held-out set. */
  validate(step: number): Promise<{ score: ValidationScore; improved: boolean } | null>;
  /** Replaces the held-out set and re-scores the starting and best weights on it. */
  setPlan(plan: ValidationPlan | null): Promise<void>;
  /** Runs `f` with the starting weights loaded, then restores the current ones. */
  withStart<T>(f: () => Promise<T>): Promise<T>;
  /** Loads the weights to keep (the best, or the start when nothing beat it) and says which. */
  finish(lastStep: number): KeptWeights;
  dispose(): void;
}

/** Runs `f` with `snapshot` loaded into the segmenter, then restores the weights it had. */
async function withWeights<T>(segmenter: Segmenter, snapshot: WeightSnapshot, f: () => Promise<T>): Promise<T> {
  const current = snapshotWeights(segmenter);
  try {
    snapshot.restore();
    return await f();
  } finally {
    current.restore();
    current.dispose();
  }
}

/**
 * Snapshots the starting weights and scores them on `plan` (reported as the step-0 point through
 * `onValidation`).
 */
export async function createKeepBest(
  segmenter: Segmenter,
  initialPlan: ValidationPlan | null,
  onValidation?: (point: ValidationPoint) => void,
): Promise<KeepBest> {
  const start = snapshotWeights(segmenter);
  let plan = initialPlan;
  let best: WeightSnapshot | null = null;
  let bestStep = 0;
  let before: ValidationScore | null = null;
  let bestScore: ValidationScore | null = null;
  let validations = 0;
  let validationMs = 0;
  try {
    if (plan !== null) before = await scoreValidation(segmenter, plan);
  } catch (error) {
    start.dispose();
    throw error;
  }
  bestScore = before;
  if (before !== null) onValidation?.({ ...before, step: 0, best: true });

  return {
    get before() {
      return before;
    },
    get validations() {
      return validations;
    },
    get validationMs() {
      return validationMs;
    },
    async validate(step) {
      if (plan === null || bestScore === null) return null;
      const t0 = Date.now();
      const score = await scoreValidation(segmenter, plan);
      validationMs += Date.now() - t0;
      validations++;
      const improved = isBetter(score, bestScore);
      if (improved) {
        best?.dispose();
        best = snapshotWeights(segmenter);
        bestStep = step;
        bestScore = score;
      }
      onValidation?.({ ...score, step, best: improved });
      return { score, improved };
    },
    async setPlan(next) {
      plan = next;
      if (next === null) {
        before = null;
        bestScore = null;
        return;
      }
      before = await withWeights(segmenter, start, () => scoreValidation(segmenter, next));
      bestScore = before;
      const held: WeightSnapshot | null = best;
      if (held === null) return;
      const rescored = await withWeights(segmenter, held, () => scoreValidation(segmenter, next));
      if (isBetter(rescored, before)) bestScore = rescored;
      else {
        held.dispose();
        best = null;
        bestStep = 0;
      }
    },
    withStart: (f) => withWeights(segmenter, start, f),
    finish(lastStep) {
      if (plan === null || before === null) return { kept: 'tuned', bestStep: lastStep, before: null, after: null };
      if (best === null) {
        start.restore();
        return { kept: 'start', bestStep: 0, before, after: before };
      }
      best.restore();
      return { kept: 'tuned', bestStep, before, after: bestScore };
    },
    dispose() {
      best?.dispose();
      best = null;
      start.dispose();
    },
  };
}
