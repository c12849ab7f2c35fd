/**
 * Fine-tuning at the object scale (issue 10): an image that is segmented resized by `scale` (its objects
 * brought to the card's objectDiameter, src/model/objectScale.ts) must be trained on at that scale too,
 * or the model learns its objects at a size it never sees them at (large nuclei segmented at 0.5x would
 * be taught at twice their segmented size). The image plane is resized exactly as segmentScaled resizes
 * it; its training and held-out labels by majority / nearest (src/image/resampleLabels.ts), together, so
 * that unlabelled stays unlabelled, no new class appears and no pixel ends up both trained and held out.
 */
import { resizePlane, scaledSize } from '../image/resample';
import { resizeLabels } from '../image/resampleLabels';
import type { FloatPlane } from '../image/types';
import type { FineTuneSample } from './fineTuneTypes';

/** Held-out codes are shifted by this in the joint label image (labels are 0 unlabelled, 1, 2). */
const HELD_OUT = 128;

/** Training labels and held-out labels as one code image (held-out class c = c + HELD_OUT). */
function joinLabels(labels: Uint8Array, validation: Uint8Array): Uint8Array {
  const joint = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const code = labels[i] !== 0 ? labels[i] : validation[i];
    if (code >= HELD_OUT) throw new RangeError(`label value ${code} is out of range (fine-tune labels are 0, 1 and 2)`);
    joint[i] = labels[i] !== 0 ? code : code === 0 ? 0 : code + HELD_OUT;
  }
  return joint;
}

function splitLabels(joint: Uint8Array): { labels: Uint8Array; validation: Uint8Array } {
  const labels = new Uint8Array(joint.length);
  const validation = new Uint8Array(joint.length);
  for (let i = 0; i < joint.length; i++) {
    if (joint[i] >= HELD_OUT) validation[i] = joint[i] - HELD_OUT;
    else labels[i] = joint[i];
  }
  return { labels, validation };
}

/**
 * The sample resized by `scale` (the factor its image is segmented at; sizes rounded as scaledSize
 * rounds them). A scale that leaves the size unchanged returns the sample itself, bit for bit. `resized`,
 * the image of an earlier call at this scale, is reused (new labels on the same image: the trainer tells
 * them from a new image by the image's identity).
 * @throws RangeError for a scale that is not a positive number or labels of the wrong size.
 */
export function sampleAtScale(sample: FineTuneSample, scale: number, resized?: FloatPlane): FineTuneSample {
  const { width, height } = sample.image;
  const size = scaledSize(width, height, scale);
  if (size.width === width && size.height === height) return sample;
  const n = width * height;
  for (const [what, data] of [['labels', sample.labels], ['held-out labels', sample.validation], ['instances', sample.instances]] as const) {
    if (data !== undefined && data.length !== n) throw new RangeError(`${what} of ${sample.name ?? 'an image'} hold ${data.length} values for a ${width}x${height} image`);
  }
  const resize = <T extends Uint8Array | Uint16Array | Uint32Array>(labels: T): T => resizeLabels(labels, width, height, size.width, size.height);
  const image = resized?.width === size.width && resized.height === size.height ? resized : resizePlane(sample.image, size.width, size.height);
  const labelled = sample.validation === undefined ? { labels: resize(sample.labels) } : splitLabels(resize(joinLabels(sample.labels, sample.validation)));
  return {
    image,
    ...labelled,
    ...(sample.instances ? { instances: resize(sample.instances) } : {}),
    ...(sample.name !== undefined ? { name: sample.name } : {}),
  };
}
