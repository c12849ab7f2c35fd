/**
 * In-memory copies of a model's weights for keep-best training: the starting weights and the best so
 * far. A copy is a clone of each weight tensor (plain tensors, not variables, so no optimiser or
 * variableGrads ever sees them); restoring assigns them back, which is bit-exact. Clones share the
 * variables' buffers until the optimiser replaces them, so taking a snapshot costs no copy on the device.
 */
import * as tf from '@tensorflow/tfjs';
import type { Segmenter } from './types';

/** A saved set of weights. */
export interface WeightSnapshot {
  /** Writes the saved weights back into the segmenter (may be called more than once). */
  restore(): void;
  dispose(): void;
}

/** Saves the segmenter's current weights. */
export function snapshotWeights(segmenter: Segmenter): WeightSnapshot {
  const { model } = segmenter;
  const saved = tf.tidy(() => model.getWeights().map((w) => tf.keep(w.clone())));
  let disposed = false;
  return {
    restore() {
      if (disposed) throw new Error('internal: restoring a disposed weight snapshot');
      model.setWeights(saved);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      tf.dispose(saved);
    },
  };
}
