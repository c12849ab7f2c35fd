import type { ChannelChoice } from '../image/normalize';
import type { LoadedModel } from '../worker/protocol';

/**
 * Cache keys. A prediction depends on the model (id, and its weights: a fine-tuned model has a new
 * createdAt / trainedSteps), on test-time augmentation, and on which channel fed the model. Instances
 * depend on the prediction and on threshold, connectivity and minimum size.
 */

/** Identity of the model's output: null while no model is loaded. */
export function modelKey(modelId: string | null, model: LoadedModel | null, tta: boolean): string | null {
  if (!modelId || !model) return null;
  return `${modelId}@${model.card.createdAt}#${model.card.trainedSteps}${tta ? '+tta' : ''}`;
}

/** Key of one image's prediction under a model key and channel choice. */
export function predictionKey(model: string, channel: ChannelChoice): string {
  return `${model}|ch=${channel}`;
}

/** Instance parameters. */
export interface InstanceParams {
  readonly threshold: number;
  readonly connectivity: 4 | 8;
  readonly minSize: number;
}

/** Key of instances computed from one prediction with given parameters. */
export function instancesKey(prediction: string, p: InstanceParams): string {
  return `${prediction}|t=${p.threshold}|c=${p.connectivity}|min=${p.minSize}`;
}
