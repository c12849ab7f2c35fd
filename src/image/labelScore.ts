/**
 * Score of a foreground probability map on partial labels (0 unlabelled, 1 background, 2 foreground): the
 * numbers fine-tuning reports on held-out painted labels, computed here from a whole-image prediction so
 * the benchmark can check them independently of the training loop.
 */

/** Same fields as the fine-tune contract's ValidationScore. */
export interface LabelScore {
  /** Mean cross-entropy of the labelled pixels (probabilities clamped to [1e-7, 1 - 1e-7]). */
  readonly loss: number;
  /** Share of labelled pixels whose class (probability >= 0.5 = foreground) is right. */
  readonly pixelAccuracy: number;
  /** Foreground IoU over the labelled pixels (1 when neither truth nor prediction has foreground there). */
  readonly foregroundIou: number;
  /** Labelled pixels scored. */
  readonly pixels: number;
}

/** Scores `probabilities` (foreground, one per pixel) on the labelled pixels of `labels`. */
export function scoreOnLabels(probabilities: ArrayLike<number>, labels: Uint8Array): LabelScore {
  if (probabilities.length !== labels.length) {
    throw new RangeError(`prediction has ${probabilities.length} values but the labels ${labels.length}`);
  }
  const eps = 1e-7;
  let pixels = 0;
  let loss = 0;
  let right = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l === 0) continue;
    if (l !== 1 && l !== 2) throw new RangeError(`label ${l} at pixel ${i} is not 0, 1 or 2`);
    const p = Math.min(1 - eps, Math.max(eps, probabilities[i]));
    const truthFg = l === 2;
    const predFg = probabilities[i] >= 0.5;
    pixels++;
    loss -= Math.log(truthFg ? p : 1 - p);
    if (truthFg === predFg) right++;
    if (truthFg && predFg) tp++;
    else if (predFg) fp++;
    else if (truthFg) fn++;
  }
  const union = tp + fp + fn;
  return {
    loss: pixels === 0 ? 0 : loss / pixels,
    pixelAccuracy: pixels === 0 ? 1 : right / pixels,
    foregroundIou: union === 0 ? 1 : tp / union,
    pixels,
  };
}
