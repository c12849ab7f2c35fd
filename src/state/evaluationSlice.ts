import type { StateCreator } from 'zustand';
import { guessTruthFormat, type EvaluationTask, type TruthFormat } from '../image/evaluation';
import { instancesKey } from './keys';
import { getImageWorker } from './imageWorker';
import { getPixels } from './pixels';
import { currentObjectSettings, currentPrediction, currentPredictionKey, imageModelId, imageSettings } from './predictions';
import type { StudioState } from './store';

/**
 * Evaluate in the app: a ground-truth label image per image, scored against the image's prediction
 * with the same code as `npm run evaluate` (src/image/evaluation.ts, run in the image worker). The
 * label image's pixels live in the pixel registry (`truth`); here only what the panel shows.
 */

/** The ground truth of one image. */
export interface GroundTruthInfo {
  readonly name: string;
  readonly format: TruthFormat;
  /** Binary membrane labels: the value that marks membrane (ISBI: 0). */
  readonly membraneValue: number;
}

/** Metrics of one image, and what they were computed from. */
export interface EvaluationResult {
  /** Prediction, post-processing and ground-truth settings the metrics belong to. */
  readonly key: string;
  readonly task: EvaluationTask;
  readonly metrics: Readonly<Record<string, number>>;
}

export interface EvaluationSlice {
  groundTruth: Record<string, GroundTruthInfo>;
  evaluations: Record<string, EvaluationResult>;
  /**
   * Loads a label image (PNG/TIFF, binary or instance) as image `id`'s ground truth. A file that cannot
   * serve (unreadable, another size, no foreground, nothing of a class) gives one message and changes
   * nothing: an earlier ground truth and its metrics stay.
   */
  loadGroundTruth(id: string, file: File): Promise<void>;
  setGroundTruthOptions(id: string, change: Partial<Omit<GroundTruthInfo, 'name'>>): void;
  removeGroundTruth(id: string): void;
  /** Scores image `id` if it has ground truth and a prediction and its metrics are stale. */
  evaluateImage(id: string): Promise<void>;
}

export const initialEvaluationState = {
  groundTruth: {} as Record<string, GroundTruthInfo>,
  evaluations: {} as Record<string, EvaluationResult>,
};

type Reader = Parameters<typeof imageSettings>[0] & Pick<StudioState, 'groundTruth'>;

/** Nuclei metrics for nuclei and generic models, membrane metrics for membrane models. */
export function evaluationTask(state: Pick<StudioState, 'loaded' | 'model' | 'modelId' | 'images'>, id: string): EvaluationTask {
  const modelId = imageModelId(state, id);
  const loaded = modelId ? (state.loaded[modelId] ?? (state.model?.id === modelId ? state.model : null)) : null;
  return loaded?.card.task === 'membranes' ? 'membranes' : 'nuclei';
}

/** Key of the metrics wanted now for image `id`; null without ground truth, prediction or settings. */
export function evaluationKey(state: Reader, id: string): string | null {
  const truth = state.groundTruth[id];
  const prediction = currentPredictionKey(state, id);
  const settings = imageSettings(state, id);
  if (!truth || !prediction || !settings) return null;
  return `${instancesKey(prediction, settings)}|gt=${truth.name},${truth.format},${truth.membraneValue}`;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const createEvaluationSlice: StateCreator<StudioState, [], [], EvaluationSlice> = (set, get) => ({
  ...initialEvaluationState,

  async loadGroundTruth(id, file) {
    const image = get().images.find((i) => i.id === id);
    const px = getPixels(id);
    if (!image || !px) return;
    const refuse = (why: string): void => get().notify('error', `Ground truth ${file.name} not used: ${why}.`);
    let truth;
    try {
      const { pages } = await getImageWorker().call('decode', { file, name: file.name, thumbnailSize: 1 });
      truth = pages[0].raster;
    } catch (error) {
      refuse(message(error));
      return;
    }
    if (truth.width !== image.width || truth.height !== image.height) {
      refuse(`it is ${truth.width}x${truth.height} but ${image.name} is ${image.width}x${image.height}`);
      return;
    }
    const info: GroundTruthInfo = { name: file.name, format: guessTruthFormat(truth), membraneValue: 0 };
    const task = evaluationTask(get(), id);
    try {
      // The worker checks the labels (and scores them when there is a prediction) before anything is kept.
      const probability = currentPrediction(get(), id)?.slice() ?? null;
      const settings = currentObjectSettings(get(), id);
      if (!settings) throw new Error('the image\'s model is not loaded yet');
      await getImageWorker().call(
        'evaluate',
        { probability, width: image.width, height: image.height, truth, options: { task, labelsFormat: info.format, membraneValue: info.membraneValue, postProcessing: settings } },
        probability ? [probability.buffer] : [],
      );
    } catch (error) {
      refuse(message(error));
      return;
    }
    if (getPixels(id) !== px) return;
    px.truth = truth;
    set((s) => ({ groundTruth: { ...s.groundTruth, [id]: info } }));
    get().setStatus(`Ground truth ${file.name} loaded (${info.format}).`);
    await get().evaluateImage(id);
  },

  setGroundTruthOptions(id, change) {
    const current = get().groundTruth[id];
    if (!current) return;
    set((s) => ({ groundTruth: { ...s.groundTruth, [id]: { ...current, ...change } } }));
    void get().evaluateImage(id);
  },

  removeGroundTruth(id) {
    const px = getPixels(id);
    if (px) delete px.truth;
    set((s) => {
      const groundTruth = { ...s.groundTruth };
      const evaluations = { ...s.evaluations };
      delete groundTruth[id];
      delete evaluations[id];
      return { groundTruth, evaluations };
    });
  },

  async evaluateImage(id) {
    const state = get();
    const key = evaluationKey(state, id);
    const info = state.groundTruth[id];
    const px = getPixels(id);
    const probability = currentPrediction(state, id);
    const settings = currentObjectSettings(state, id);
    if (!key || !info || !px?.truth || !probability || !settings || state.evaluations[id]?.key === key) return;
    const task = evaluationTask(state, id);
    const copy = probability.slice();
    try {
      const { metrics } = await getImageWorker().call(
        'evaluate',
        { probability: copy, width: px.raster.width, height: px.raster.height, truth: px.truth, options: { task, labelsFormat: info.format, membraneValue: info.membraneValue, postProcessing: settings } },
        [copy.buffer],
      );
      if (!metrics || getPixels(id) !== px) return;
      set((s) => ({ evaluations: { ...s.evaluations, [id]: { key, task, metrics } } }));
    } catch (error) {
      get().notify('error', `Could not evaluate against ${info.name}: ${message(error)}.`);
    }
  },
});
