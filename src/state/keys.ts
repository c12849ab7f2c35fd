import type { ChannelChoice } from '../image/normalize';
import type { PostProcessing } from '../image/postProcessing';
import type { LoadedModel } from '../worker/protocol';

/**
 * Cache keys. A prediction depends on the model's weights (their revision, a content hash: a fine-tuned,
 * imported or re-trained model has a new one; a renamed or duplicated one keeps it), on test-time
 * augmentation, and on which channel fed the model. Objects depend on the prediction and on the
 * post-processing settings.
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

/**
 * Key of the objects computed from one prediction with the given post-processing: every field counts,
 * so changed settings never reuse stale objects.
 */
export function instancesKey(prediction: string, p: PostProcessing): string {
  const fields = [p.objects, p.threshold, p.smoothing, p.fillHoles ? 'holes' : 'no-holes', p.maxHoleSize, p.split, p.h, p.minSize, p.connectivity];
  return `${prediction}|pp=${fields.join(',')}`;
}
