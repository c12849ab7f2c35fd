import { instancesKey, modelKey, predictionKey } from './keys';
import { getPixels, type InstanceBuffers } from './pixels';
import type { StudioState } from './store';

type Reader = Pick<StudioState, 'modelId' | 'model' | 'segmentOptions' | 'images' | 'threshold' | 'connectivity' | 'minSize'>;

/** Key of the prediction the current model (and the image's channel choice) gives for image `id`. */
export function currentPredictionKey(state: Reader, id: string): string | null {
  const model = modelKey(state.modelId, state.model, state.segmentOptions.tta);
  const image = state.images.find((i) => i.id === id);
  return model && image ? predictionKey(model, image.channel) : null;
}

/** The cached prediction of image `id` under the current model, if it was segmented. */
export function currentPrediction(state: Reader, id: string): Float32Array | null {
  const key = currentPredictionKey(state, id);
  return (key && getPixels(id)?.predictions.get(key)) || null;
}

/** Key of the instances wanted now for image `id` (null without a prediction key). */
export function currentInstancesKey(state: Reader, id: string): string | null {
  const key = currentPredictionKey(state, id);
  return key && instancesKey(key, { threshold: state.threshold, connectivity: state.connectivity, minSize: state.minSize });
}

/** Instances of image `id` if they match the current prediction and parameters. */
export function currentInstances(state: Reader, id: string): InstanceBuffers | null {
  const key = currentInstancesKey(state, id);
  const instances = getPixels(id)?.instances;
  return key && instances && instances.key === key ? instances : null;
}

/** True when image `id` has a cached prediction under the current model (a cheap selector). */
export function isSegmented(state: Reader & Pick<StudioState, 'segmented'>, id: string | null): boolean {
  if (!id) return false;
  const key = currentPredictionKey(state, id);
  return key !== null && (state.segmented[id]?.includes(key) ?? false);
}

/**
 * The probability map the viewer shows for image `id`: during a fine-tune, the live preview of the weights
 * being trained (where one was made), else the cached prediction of the current model.
 */
export function shownProbability(state: Reader & Pick<StudioState, 'trainRun'>, id: string): Float32Array | null {
  if (state.trainRun) {
    const preview = getPixels(id)?.preview;
    if (preview) return preview;
  }
  return currentPrediction(state, id);
}
