import { instancesKey, modelKey, predictionKey } from './keys';
import { atObjectScale, type PostProcessing } from '../image/postProcessing';
import { diameterChoice, diameterKey } from './objectScaleSlice';
import { getPixels, type InstanceBuffers, type PartialPrediction } from './pixels';
import { modelSettings } from './postProcessingSlice';
import type { StudioState } from './store';

type Reader = Pick<StudioState, 'modelId' | 'model' | 'loaded' | 'segmentOptions' | 'images' | 'postProcessing' | 'diameterOverrides'>;

/** The model image `id` is segmented with: its own choice, else the selected model. */
export function imageModelId(state: Pick<StudioState, 'modelId' | 'images'>, id: string): string | null {
  return state.images.find((i) => i.id === id)?.modelId ?? state.modelId;
}

/** Key of the prediction the image's model (its weights revision) and channel choice give for image `id`. */
export function currentPredictionKey(state: Reader, id: string): string | null {
  const image = state.images.find((i) => i.id === id);
  const modelId = image?.modelId ?? state.modelId;
  const loaded = modelId ? (state.loaded[modelId] ?? (state.model?.id === modelId ? state.model : null)) : null;
  const model = modelKey(loaded, state.segmentOptions.tta);
  // A rescaled prediction (object diameter) is another prediction: its choice is part of the key.
  return model && image ? predictionKey(model, image.channel) + diameterKey(diameterChoice(state.diameterOverrides, image.id, loaded?.card)) : null;
}

/** The cached prediction of image `id` under the current model, if it was segmented. */
export function currentPrediction(state: Reader, id: string): Float32Array | null {
  const key = currentPredictionKey(state, id);
  return (key && getPixels(id)?.predictions.get(key)) || null;
}

/** The post-processing settings of image `id`: those of its model (null while that model is not loaded). */
export function imageSettings(state: Reader, id: string): PostProcessing | null {
  return modelSettings(state, imageModelId(state, id));
}

/**
 * The model that made prediction `key` of image `id`, among the loaded ones: the image's own model when the
 * key is of its weights (a key names the weights revision, not the model), else the selected model, else
 * any loaded model with those weights; null when none is loaded any more.
 */
export function predictionModelId(state: Reader, id: string, key: string): string | null {
  const own = imageModelId(state, id);
  const made = (modelId: string | null): boolean => {
    const loaded = modelId ? (state.loaded[modelId] ?? (state.model?.id === modelId ? state.model : null)) : null;
    return [false, true].some((tta) => {
      const model = modelKey(loaded, tta);
      return model !== null && key.startsWith(`${model}|`);
    });
  };
  if (made(own)) return own;
  if (made(state.modelId)) return state.modelId;
  return Object.keys(state.loaded).find(made) ?? null;
}

/**
 * The post-processing of prediction `key` of image `id`: that of the model that made it (its objects must
 * be the ones that model's settings give, whichever model the image uses now). When that model is not
 * loaded any more: the user's settings for it if there are any, else those the prediction was segmented
 * with; the image's own only for a prediction nothing is known about.
 */
export function predictionSettings(state: Reader, id: string, key: string): PostProcessing | null {
  const made = getPixels(id)?.madeWith.get(key);
  const maker = predictionModelId(state, id, key) ?? made?.modelId ?? null;
  return (maker !== null ? modelSettings(state, maker) : null) ?? made?.settings ?? imageSettings(state, id);
}

/** The object scale prediction `key` of image `id` was made at: 1 when it was not rescaled or nothing is known. */
export function predictionScale(id: string, key: string): number {
  return getPixels(id)?.madeWith.get(key)?.scale ?? 1;
}

/**
 * `settings` in the pixels of prediction `key` of image `id` (atObjectScale at the scale it was made at):
 * what objects of that prediction are made with, in the workers, the export and the evaluation alike.
 */
export function objectSettings(settings: PostProcessing, id: string, key: string): PostProcessing {
  return atObjectScale(settings, predictionScale(id, key));
}

/**
 * The post-processing of image `id` in the pixels of its current prediction (objectSettings), or its own
 * settings while it has none; null while its model is not loaded.
 */
export function currentObjectSettings(state: Reader, id: string): PostProcessing | null {
  const settings = imageSettings(state, id);
  const key = currentPredictionKey(state, id);
  return settings && key ? objectSettings(settings, id, key) : settings;
}

/** Key of the instances wanted now for image `id` (null without a prediction key). */
export function currentInstancesKey(state: Reader, id: string): string | null {
  const key = currentPredictionKey(state, id);
  const settings = imageSettings(state, id);
  return key && settings && instancesKey(key, settings);
}

/** Instances of image `id` if they match the current prediction and parameters. */
export function currentInstances(state: Reader, id: string): InstanceBuffers | null {
  const key = currentInstancesKey(state, id);
  const instances = getPixels(id)?.instances;
  return key && instances && instances.key === key ? instances : null;
}

/**
 * What an export of image `id` uses: the prediction of its own model, else the latest prediction it has
 * under any model (the image was segmented, then given another model that has not run yet), with its key.
 */
export function exportPrediction(state: Reader & Pick<StudioState, 'segmented'>, id: string): { key: string; data: Float32Array; current: boolean } | null {
  const px = getPixels(id);
  if (!px) return null;
  const key = currentPredictionKey(state, id);
  const current = key ? px.predictions.get(key) : undefined;
  if (key && current) return { key, data: current, current: true };
  const keys = state.segmented[id] ?? [];
  for (let k = keys.length - 1; k >= 0; k--) {
    const data = px.predictions.get(keys[k]);
    if (data) return { key: keys[k], data, current: false };
  }
  return null;
}

/** True when image `id` has a cached prediction under its model (a cheap selector). */
export function isSegmented(state: Reader & Pick<StudioState, 'segmented'>, id: string | null): boolean {
  if (!id) return false;
  const key = currentPredictionKey(state, id);
  return key !== null && (state.segmented[id]?.includes(key) ?? false);
}

/**
 * The probability map the viewer shows for image `id`: during a fine-tune, the live preview of the weights
 * being trained (where one was made), else the cached prediction of the current model, else the finished
 * part of a cancelled segmentation with that model (NaN where it did not get to).
 */
export function shownProbability(state: Reader & Pick<StudioState, 'trainRun'>, id: string): Float32Array | null {
  if (state.trainRun) {
    const preview = getPixels(id)?.preview;
    if (preview) return preview;
  }
  return currentPrediction(state, id) ?? currentPartial(state, id)?.probabilities ?? null;
}

/** The finished tiles of a cancelled segmentation of image `id` with its current model, if any. */
export function currentPartial(state: Reader, id: string): PartialPrediction | null {
  const partial = getPixels(id)?.partial;
  return partial && partial.key === currentPredictionKey(state, id) ? partial : null;
}
