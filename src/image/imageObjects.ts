import { measureObjects, type ObjectMeasurement } from './measure';
import { objectsFromProbability, type PostProcessing } from './postProcessing';

/**
 * Everything the app shows and exports about an image's objects, computed in one place from its
 * probability map: the labels (the same objectsFromProbability as `segment` and `evaluate`), their
 * sizes, the mask's pixel count and the measurement table. Runs in a worker (the model worker right
 * after a segmentation, the image worker when settings change), never on the main thread.
 */
export interface ImageObjects {
  readonly labels: Uint32Array;
  readonly count: number;
  /** sizes[k] = pixels of object k (sizes[0] = pixels outside every object). */
  readonly sizes: Uint32Array;
  /** Pixels of the mask NAME_mask.png marks 255: the objects' pixels; for EM cells, the membrane. */
  readonly foreground: number;
  /** One row per object, sorted by id (measure.ts). */
  readonly measurements: ObjectMeasurement[];
}

/**
 * Objects of a probability map under `settings`, measured on `intensity` (one value per pixel: the
 * image's mean over colour channels, as `segment --csv` measures).
 */
export function computeImageObjects(
  probability: ArrayLike<number>,
  width: number,
  height: number,
  settings: PostProcessing,
  intensity?: ArrayLike<number>,
): ImageObjects {
  const objects = objectsFromProbability(probability, width, height, settings);
  let foreground = 0;
  if (settings.objects === 'cells') {
    for (let i = 0; i < probability.length; i++) if (probability[i] >= settings.threshold) foreground++;
  } else {
    foreground = width * height - objects.sizes[0];
  }
  return {
    labels: objects.labels,
    count: objects.count,
    sizes: objects.sizes,
    foreground,
    measurements: measureObjects(objects.labels, width, height, intensity),
  };
}
