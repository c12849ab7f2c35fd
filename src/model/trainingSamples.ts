/**
 * From label images to what the trainer consumes: partial labels (0 unlabelled, 1 background,
 * 2 foreground), the objects whose gaps the border term emphasises, and the precomputed weight map.
 * Weight maps are computed once per sample (they need per-object distance transforms) and then only
 * resampled by the augmentation.
 */
import { connectedComponents } from '../image/components';
import type { FloatPlane } from '../image/types';
import type { AugmentSource } from './augment';
import { borderWeights } from './borderWeights';
import type { BorderWeightOptions } from './borderWeights';

/** One training image with its labels in the partial format. */
export interface TrainingSample {
  /** Normalised single-channel image (see src/image/normalize.ts). */
  readonly image: FloatPlane;
  /** 0 = unlabelled, 1 = background, 2 = foreground (the class the model's foregroundClass predicts). */
  readonly labels: Uint8Array;
  /** Optional instance ids (0 = none) of the objects; else connected components of the object class. */
  readonly instances?: Uint16Array | Uint32Array;
  readonly name?: string;
}

/**
 * Which partial-label class forms the objects of the border term. Nuclei: the foreground (2), so that
 * the gaps between touching nuclei get weight. Membranes: the foreground is the membrane, the objects
 * are the cells (1) it separates, so that thin membranes between two cells get weight.
 */
export type ObjectClass = 1 | 2;

/** A sample ready for tile sampling: source planes, weight map and the labelled pixels to centre tiles on. */
export interface PreparedSample extends AugmentSource {
  readonly name: string;
  /** Indices of labelled pixels (tile centres are drawn among them). */
  readonly labelled: Uint32Array;
}

/** Partial labels from a binary mask: nonzero (or `== foregroundValue`) = foreground 2, else background 1. */
export function partialFromBinary(mask: ArrayLike<number>, foregroundValue?: number): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) {
    const fg = foregroundValue === undefined ? mask[i] !== 0 : mask[i] === foregroundValue;
    out[i] = fg ? 2 : 1;
  }
  return out;
}

export { partialFromInstances } from '../image/partialLabels';

/** Object ids for the border term: the sample's instances (restricted to object-class pixels), else components. */
export function objectsOf(sample: TrainingSample, objectClass: ObjectClass): Uint32Array {
  const { width, height } = sample.image;
  const { labels, instances } = sample;
  if (instances !== undefined && objectClass === 2) {
    const out = new Uint32Array(labels.length);
    for (let i = 0; i < labels.length; i++) out[i] = labels[i] === 2 ? instances[i] : 0;
    return out;
  }
  const mask = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) mask[i] = labels[i] === objectClass ? 1 : 0;
  return connectedComponents(mask, width, height, { connectivity: 4 }).labels;
}

/** Checks a sample and precomputes its weight map. */
export function prepareSample(
  sample: TrainingSample,
  objectClass: ObjectClass,
  weightOptions: BorderWeightOptions = {},
  index = 0,
): PreparedSample {
  const { width, height, data } = sample.image;
  const name = sample.name ?? `sample ${index}`;
  const n = width * height;
  if (data.length !== n) throw new RangeError(`${name}: image has ${data.length} values, expected ${width}x${height}`);
  if (sample.labels.length !== n) {
    throw new RangeError(`${name}: labels are ${sample.labels.length} pixels but the image is ${width}x${height}`);
  }
  if (sample.instances !== undefined && sample.instances.length !== n) {
    throw new RangeError(`${name}: instances are ${sample.instances.length} pixels but the image is ${width}x${height}`);
  }
  let count = 0;
  for (let i = 0; i < n; i++) {
    const l = sample.labels[i];
    if (l > 2) throw new RangeError(`${name}: label ${l} at pixel ${i} is not 0 (unlabelled), 1 (background) or 2 (foreground)`);
    if (l !== 0) count++;
  }
  const labelled = new Uint32Array(count);
  for (let i = 0, k = 0; i < n; i++) if (sample.labels[i] !== 0) labelled[k++] = i;
  const weights = borderWeights({ width, height, labels: sample.labels, objects: objectsOf(sample, objectClass) }, weightOptions);
  return { name, width, height, image: data, labels: sample.labels, weights, labelled };
}

/**
 * Partial labels with a third class, the objects' boundary (value 3, class 2 of a 3-class model): every
 * foreground pixel with a 4-neighbour that is not foreground of the same instance (background, a seam
 * carved between touching objects, or another instance). Touching nuclei then meet along a learned class
 * instead of a valley of the foreground probability, so their interiors come apart even where the
 * foreground map shows one blob. Pixels on the image edge are boundary only when a neighbour inside the
 * image says so: what lies outside is unknown.
 */
export function withBoundaryClass(labels: Uint8Array, instances: ArrayLike<number>, width: number, height: number): Uint8Array {
  const n = width * height;
  if (labels.length !== n || instances.length !== n) {
    throw new RangeError(`boundary class: labels (${labels.length}) and instances (${instances.length}) must both be ${width}x${height}`);
  }
  const owner = (j: number): number => (labels[j] === 2 ? instances[j] : 0);
  const out = Uint8Array.from(labels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (labels[i] !== 2) continue;
      const id = instances[i];
      const differs =
        (x > 0 && owner(i - 1) !== id) ||
        (x + 1 < width && owner(i + 1) !== id) ||
        (y > 0 && owner(i - width) !== id) ||
        (y + 1 < height && owner(i + width) !== id);
      if (differs) out[i] = 3;
    }
  }
  return out;
}
