import { connectedComponents } from './components';

/**
 * Per-image evaluation metrics (issue 4, `npm run evaluate`). Inputs are plain label/mask arrays of
 * equal length; "foreground" is any nonzero value. Conventions for degenerate images are chosen so a
 * perfect prediction always scores perfectly: IoU = Dice = 1 when prediction and truth are both empty,
 * AP = F1 = 1 when both have no objects, Rand error = 0 when the truth has no cell pixels.
 */

/** Pixel-level agreement of two binary masks. */
export interface BinaryMetrics {
  /** |P ∩ T| / |P ∪ T| of the foreground. */
  readonly iou: number;
  /** 2|P ∩ T| / (|P| + |T|). */
  readonly dice: number;
  /** Fraction of pixels whose class differs (the ISBI "pixel error"). */
  readonly pixelError: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly trueNegatives: number;
}

/** Object-level agreement of two instance label images. */
export interface InstanceMetrics {
  /** TP / (TP + FP + FN) at the IoU threshold (DSB 2018 "AP" at one threshold). */
  readonly ap: number;
  /** 2TP / (2TP + FP + FN): F1 of matched instances. */
  readonly f1: number;
  readonly precision: number;
  readonly recall: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  /** Mean IoU of the matched pairs (0 when none). */
  readonly meanMatchedIou: number;
}

/** Foreground-restricted Rand scores of two cell segmentations (ISBI 2012). */
export interface RandMetrics {
  /** 1 - randFScore. */
  readonly randError: number;
  readonly randFScore: number;
  /** Pairs together in both / pairs together in the prediction (low = false merges). */
  readonly randPrecision: number;
  /** Pairs together in both / pairs together in the truth (low = false splits). */
  readonly randRecall: number;
}

function checkSameLength(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new RangeError(`prediction has ${a.length} pixels but truth has ${b.length}`);
}

/** IoU, Dice and pixel error of the nonzero pixels of `pred` against `truth`. */
export function binaryMetrics(pred: ArrayLike<number>, truth: ArrayLike<number>): BinaryMetrics {
  checkSameLength(pred, truth);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < pred.length; i++) {
    const p = pred[i] !== 0;
    const t = truth[i] !== 0;
    if (p && t) tp++;
    else if (p) fp++;
    else if (t) fn++;
  }
  const tn = pred.length - tp - fp - fn;
  const union = tp + fp + fn;
  return {
    iou: union === 0 ? 1 : tp / union,
    dice: union === 0 ? 1 : (2 * tp) / (2 * tp + fp + fn),
    pixelError: pred.length === 0 ? 0 : (fp + fn) / pred.length,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    trueNegatives: tn,
  };
}

/**
 * Matches predicted to true objects one-to-one: pairs are taken greedily by decreasing IoU and a pair
 * counts when IoU > `iouThreshold` (default 0.5). Above 0.5 each object can overlap at most one
 * partner that much, so the matching is unique and greedy is optimal. Label ids need not be
 * consecutive; 0 is background.
 */
export function instanceMetrics(
  predLabels: ArrayLike<number>,
  truthLabels: ArrayLike<number>,
  iouThreshold = 0.5,
): InstanceMetrics {
  checkSameLength(predLabels, truthLabels);
  const predSize = new Map<number, number>();
  const truthSize = new Map<number, number>();
  const overlap = new Map<number, Map<number, number>>(); // pred id -> truth id -> pixels
  for (let i = 0; i < predLabels.length; i++) {
    const p = predLabels[i];
    const t = truthLabels[i];
    if (p) predSize.set(p, (predSize.get(p) ?? 0) + 1);
    if (t) truthSize.set(t, (truthSize.get(t) ?? 0) + 1);
    if (p && t) {
      let row = overlap.get(p);
      if (!row) overlap.set(p, (row = new Map()));
      row.set(t, (row.get(t) ?? 0) + 1);
    }
  }
  const pairs: { p: number; t: number; iou: number }[] = [];
  for (const [p, row] of overlap) {
    for (const [t, inter] of row) {
      const iou = inter / ((predSize.get(p) ?? 0) + (truthSize.get(t) ?? 0) - inter);
      if (iou > iouThreshold) pairs.push({ p, t, iou });
    }
  }
  pairs.sort((a, b) => b.iou - a.iou || a.p - b.p || a.t - b.t);
  const usedP = new Set<number>();
  const usedT = new Set<number>();
  let tp = 0;
  let iouSum = 0;
  for (const { p, t, iou } of pairs) {
    if (usedP.has(p) || usedT.has(t)) continue;
    usedP.add(p);
    usedT.add(t);
    tp++;
    iouSum += iou;
  }
  const fp = predSize.size - tp;
  const fn = truthSize.size - tp;
  const none = tp + fp + fn === 0;
  return {
    ap: none ? 1 : tp / (tp + fp + fn),
    f1: none ? 1 : (2 * tp) / (2 * tp + fp + fn),
    precision: predSize.size === 0 ? (fn === 0 ? 1 : 0) : tp / predSize.size,
    recall: truthSize.size === 0 ? (fp === 0 ? 1 : 0) : tp / truthSize.size,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    meanMatchedIou: tp === 0 ? 0 : iouSum / tp,
  };
}

/**
 * Foreground-restricted Rand F-score of two cell label images (0 = boundary), as scored in the ISBI
 * 2012 challenge (Arganda-Carreras et al. 2015, V^Rand with alpha = 0.5), from the contingency table
 * n_ij of truth cell i and predicted cell j:
 *   recall = Σ n_ij² / Σ_i t_i²,  precision = Σ n_ij² / Σ_j s_j²,  F = 2PR / (P + R).
 * Only pixels inside a true cell count (true boundary pixels are ignored). A pixel the prediction
 * calls boundary while the truth says cell belongs to no predicted cell: it is its own singleton
 * cluster (s = 1, n = 1), so it pairs with nothing — predicting thick boundaries is penalised in recall.
 */
export function randScores(predCells: ArrayLike<number>, truthCells: ArrayLike<number>): RandMetrics {
  checkSameLength(predCells, truthCells);
  const truthSize = new Map<number, number>();
  const predSize = new Map<number, number>();
  const joint = new Map<number, Map<number, number>>();
  let singletons = 0;
  for (let i = 0; i < truthCells.length; i++) {
    const t = truthCells[i];
    if (!t) continue;
    truthSize.set(t, (truthSize.get(t) ?? 0) + 1);
    const p = predCells[i];
    if (!p) {
      singletons++;
      continue;
    }
    predSize.set(p, (predSize.get(p) ?? 0) + 1);
    let row = joint.get(t);
    if (!row) joint.set(t, (row = new Map()));
    row.set(p, (row.get(p) ?? 0) + 1);
  }
  let sumT = 0;
  let sumP = singletons;
  let sumJoint = singletons;
  for (const v of truthSize.values()) sumT += v * v;
  for (const v of predSize.values()) sumP += v * v;
  for (const row of joint.values()) for (const v of row.values()) sumJoint += v * v;
  if (sumT === 0) return { randError: 0, randFScore: 1, randPrecision: 1, randRecall: 1 };
  const precision = sumJoint / sumP;
  const recall = sumJoint / sumT;
  const f = (2 * precision * recall) / (precision + recall);
  return { randError: 1 - f, randFScore: f, randPrecision: precision, randRecall: recall };
}

/** Metrics of a membrane (EM) prediction: binary metrics with membrane as foreground, plus Rand. */
export interface MembraneMetrics extends BinaryMetrics, RandMetrics {}

/**
 * Membrane task: `predMembrane` and `truthMembrane` are nonzero on membrane. Cells are the
 * 4-connected components of the non-membrane pixels of each (as in the ISBI evaluation), then
 * scored with {@link randScores}.
 */
export function membraneMetrics(
  predMembrane: ArrayLike<number>,
  truthMembrane: ArrayLike<number>,
  width: number,
  height: number,
): MembraneMetrics {
  checkSameLength(predMembrane, truthMembrane);
  const cells = (m: ArrayLike<number>): Uint32Array => {
    const inside = new Uint8Array(m.length);
    for (let i = 0; i < m.length; i++) inside[i] = m[i] === 0 ? 1 : 0;
    return connectedComponents(inside, width, height, { connectivity: 4 }).labels;
  };
  return { ...binaryMetrics(predMembrane, truthMembrane), ...randScores(cells(predMembrane), cells(truthMembrane)) };
}

/** Metrics of a nuclei prediction: binary metrics of label > 0 plus instance matching. */
export interface NucleiMetrics extends BinaryMetrics, InstanceMetrics {}

/** Nuclei task: instance label images (0 = background) for prediction and truth. */
export function nucleiMetrics(predLabels: ArrayLike<number>, truthLabels: ArrayLike<number>, iouThreshold = 0.5): NucleiMetrics {
  return { ...binaryMetrics(predLabels, truthLabels), ...instanceMetrics(predLabels, truthLabels, iouThreshold) };
}
