import { connectedComponents } from './components';
import { maskEquals, maskNonzero, toLabelIds } from './masks';
import { membraneMetrics, nucleiMetrics, randScores } from './metrics';
import { partialFromInstances } from './partialLabels';
import { objectsFromProbability, type PostProcessing } from './postProcessing';
import type { RasterImage } from './types';

/**
 * Scoring a probability map against a ground-truth label image: the metrics `npm run evaluate` prints
 * and the app shows for an image with ground truth. One function for both, so the numbers agree.
 */

/** What the labels mark: nuclei (objects = foreground) or membranes (objects = the cells between them). */
export type EvaluationTask = 'nuclei' | 'membranes';

/** Binary (a mask) or instance (0 = background, one id per object) ground truth. */
export type TruthFormat = 'binary' | 'instance';

/** How a probability map and a label image become metrics. */
export interface ScoreOptions {
  readonly task: EvaluationTask;
  readonly labelsFormat: TruthFormat;
  /** Binary membrane labels: the value that marks membrane (ISBI 2012: 0). */
  readonly membraneValue: number;
  /**
   * How probabilities become objects (nuclei) or cells (membranes); its threshold is also the mask
   * rule of the pixel metrics (membrane where probability >= threshold).
   */
  readonly postProcessing: PostProcessing;
}

/** Metric columns per task, in table order. */
export const METRIC_KEYS: Record<EvaluationTask, readonly string[]> = {
  nuclei: ['iou', 'dice', 'pixelError', 'ap', 'f1', 'precision', 'recall'],
  membranes: ['pixelError', 'randError', 'maskRandError', 'iou', 'dice'],
};

/**
 * Membrane pixels (1) of a membrane label image: binary, the pixels equal to `membraneValue`;
 * instance, id 0 and the 1-px seams between touching cells.
 */
export function truthMembrane(truth: RasterImage, format: TruthFormat, membraneValue: number): Uint8Array {
  if (format === 'binary') return maskEquals(truth, membraneValue);
  const cells = partialFromInstances(toLabelIds(truth), truth.width, truth.height, 1);
  return cells.map((l) => (l === 2 ? 0 : 1));
}

/** True object ids of a nuclei label image: an instance image as it is, a binary one's 4-connected pieces. */
export function truthObjects(truth: RasterImage, format: TruthFormat): Uint32Array {
  if (format === 'instance') return toLabelIds(truth);
  return connectedComponents(maskNonzero(truth), truth.width, truth.height, { connectivity: 4 }).labels;
}

/**
 * Scores one foreground probability map against its label image. Nuclei: predicted objects come from
 * the post-processing; true instances come from an instance image, or from the 4-connected components
 * of a binary one. Membranes: foreground = membrane (pixel metrics at the threshold); randError is
 * the ISBI Rand error of the post-processing's cells, maskRandError that of the 4-connected pieces of
 * the thresholded non-membrane (the cells before issue 10).
 * @throws RangeError when the map and the labels differ in size, or on invalid settings.
 */
export function scoreProbabilities(probabilities: ArrayLike<number>, truth: RasterImage, options: ScoreOptions): Record<string, number> {
  const { width, height } = truth;
  if (probabilities.length !== width * height) {
    throw new RangeError(`prediction has ${probabilities.length} pixels but the labels are ${width}x${height}`);
  }
  const pick = (m: object): Record<string, number> => {
    const rec = m as Record<string, number>;
    return Object.fromEntries(METRIC_KEYS[options.task].map((k) => [k, rec[k]]));
  };
  const objects = objectsFromProbability(probabilities, width, height, options.postProcessing);
  if (options.task === 'membranes') {
    const membrane = truthMembrane(truth, options.labelsFormat, options.membraneValue);
    const pred = new Uint8Array(probabilities.length);
    for (let i = 0; i < pred.length; i++) pred[i] = probabilities[i] >= options.postProcessing.threshold ? 1 : 0;
    const mask = membraneMetrics(pred, membrane, width, height);
    const truthCells = connectedComponents(membrane.map((m) => 1 - m), width, height, { connectivity: 4 }).labels;
    return pick({ ...mask, maskRandError: mask.randError, randError: randScores(objects.labels, truthCells).randError });
  }
  return pick(nucleiMetrics(objects.labels, truthObjects(truth, options.labelsFormat)));
}

/**
 * The format a label image most likely has: two distinct values (a mask, e.g. 0/255 or ISBI's membrane
 * 0 / cell 255) is binary, more is instance. A one-object instance image reads as binary, which scores
 * the same unless that object is in pieces.
 */
export function guessTruthFormat(truth: RasterImage): TruthFormat {
  const seen = new Set<number>();
  const { data, channels } = truth;
  for (let i = 0; i < data.length; i += channels) {
    seen.add(data[i]);
    if (seen.size > 2) return 'instance';
  }
  return 'binary';
}

/**
 * Why a label image cannot score an image of width x height, in a sentence for the user; null when it
 * can. Checks the size, integer values, and that the labels mark something of each class the task needs.
 */
export function groundTruthProblem(truth: RasterImage, width: number, height: number, task: EvaluationTask, format: TruthFormat, membraneValue: number): string | null {
  if (truth.width !== width || truth.height !== height) {
    return `the ground truth is ${truth.width}x${truth.height} but the image is ${width}x${height}`;
  }
  const { data, channels } = truth;
  let integer = true;
  for (let i = 0; i < data.length && integer; i += channels) integer = Number.isInteger(data[i]);
  if (!integer) return 'the ground truth has fractional values: a label image holds whole numbers (0 = background)';
  if (task === 'nuclei') {
    const ids = truthObjects(truth, format);
    return ids.some((v) => v !== 0) ? null : 'the ground truth has no foreground (every pixel is 0)';
  }
  const membrane = truthMembrane(truth, format, membraneValue);
  let count = 0;
  for (const m of membrane) count += m;
  if (count === 0) {
    return format === 'binary'
      ? `no pixel has the membrane value ${membraneValue}: membrane labels mark membrane with ${membraneValue} (ISBI convention)`
      : 'the ground truth marks no membrane (no background and no touching cells)';
  }
  if (count === membrane.length) return 'the ground truth is all membrane: it marks no cell';
  return null;
}
