import type { ChannelChoice } from '../image/normalize';
import type { LoadedModel } from '../worker/protocol';

/**
 * Cache keys. A prediction depends on the model's weights (their revision, a content hash: a fine-tuned,
 * imported or re-trained model has a new one; a renamed or duplicated one keeps it), on test-time
 * augmentation, and on which channel fed the model. Instances depend on the prediction and on threshold,
 * connectivity and minimum size.
 */

/** Identity of the model's output: null while no model is loaded. */
export function modelKey(model: Pick<LoadedModel, 'revision'> | null | undefined, tta: boolean): string | null {
  if (!model) return null;
  return `rev=${model.revision}${tta ? '+tta' : ''}`;
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
