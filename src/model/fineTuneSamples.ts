/**
 * Fine-tuning samples: checking painted labels before a run (a clear message instead of a silent bad
 * run), preparing them for the tile sampler (weight maps, labelled pixels, the teacher's predictions)
 * and re-preparing only what changed when new strokes arrive during a run.
 */
import { distanceTransform } from '../image/distanceTransform';
import type { BorderWeightOptions } from './borderWeights';
import type { FineTuneSample } from './fineTuneTypes';
import type { LossRecipe } from './recipe';
import { prepareSample } from './trainingSamples';
import type { PreparedSample } from './trainingSamples';

/** Fewer training pixels than this are not worth a run (a few short brush dabs). */
export const MIN_LABELLED_PIXELS = 50;

function countClasses(samples: readonly FineTuneSample[], which: 'labels' | 'validation'): [number, number] {
  let bg = 0;
  let fg = 0;
  for (const s of samples) {
    const labels = s[which];
    if (labels === undefined) continue;
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] === 1) bg++;
      else if (labels[i] === 2) fg++;
    }
  }
  return [bg, fg];
}

/**
 * Checks painted labels before a fine-tune. Returns a message for the user, or null when a run makes
 * sense: there are samples, enough labelled pixels to train on, and both classes are painted (with
 * one class only the loss is minimised by calling everything that class).
 */
export function checkFineTuneLabels(samples: readonly FineTuneSample[]): string | null {
  if (samples.length === 0) return 'No image to train on: open an image and paint some labels first.';
  for (const s of samples) {
    const n = s.image.width * s.image.height;
    const name = s.name ?? 'an image';
    if (s.labels.length !== n || (s.validation !== undefined && s.validation.length !== n)) {
      return `The labels of ${name} do not match its size (${s.image.width}x${s.image.height}).`;
    }
  }
  const [bg, fg] = countClasses(samples, 'labels');
  const [vbg, vfg] = countClasses(samples, 'validation');
  if (bg + fg + vbg + vfg === 0) return 'Nothing is painted yet: paint some foreground and some background where the model is wrong.';
  if (bg + vbg === 0) return 'Only foreground is painted: paint some background too, or the model learns to call everything foreground.';
  if (fg + vfg === 0) return 'Only background is painted: paint some foreground too, or the model learns to call everything background.';
  if (bg + fg < MIN_LABELLED_PIXELS) {
    return `Only ${bg + fg} pixels are painted for training: paint at least ${MIN_LABELLED_PIXELS} (a few strokes) before training.`;
  }
  if (bg === 0 || fg === 0) {
    return `Every ${bg === 0 ? 'background' : 'foreground'} stroke is held out for validation: paint another ${bg === 0 ? 'background' : 'foreground'} stroke, or use all labels for training.`;
  }
  return null;
}

/** A prepared sample and what it was prepared from (to tell whether a polled sample changed). */
export interface PreparedFineTuneSample {
  readonly source: FineTuneSample;
  readonly prepared: PreparedSample;
  readonly teacher?: Float32Array;
}

function sameLabels(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when two samples have the same image (by identity) and equal training labels. */
export function sameTraining(a: FineTuneSample, b: FineTuneSample): boolean {
  return a.image === b.image && a.instances === b.instances && sameLabels(a.labels, b.labels);
}

/** True when two samples have the same image and equal held-out labels. */
export function sameValidation(a: FineTuneSample, b: FineTuneSample): boolean {
  return a.image === b.image && sameLabels(a.validation, b.validation);
}

/**
 * The teacher plane with held-out pixels marked as unavailable (-1, like positions outside the image):
 * the user said the starting model is wrong there, so distillation must not pull them back to it, and
 * validation should measure what the training strokes taught, not what distillation held in place.
 * With a `margin` > 0, every pixel within that distance of a painted (training or held-out) pixel is
 * marked too: the model's prediction right beside a correction is suspect as well.
 */
function teacherFor(teacher: Float32Array, source: FineTuneSample, margin: number): Float32Array {
  const marked = leftOutOfDistillation(source, margin);
  if (marked === undefined) return teacher;
  // k teacher values per pixel (one per class after the first), all marked.
  const k = teacher.length / marked.length;
  const out = teacher.slice();
  for (let i = 0; i < marked.length; i++) if (marked[i] !== 0) out.fill(-1, i * k, (i + 1) * k);
  return out;
}

/**
 * Nonzero where distillation must not hold the teacher: without a margin the held-out pixels (training
 * pixels are labelled, which distillation skips anyway); with one, every pixel within it of a painted
 * pixel, held-out ones included (at distance 0). Undefined when nothing is left out.
 */
function leftOutOfDistillation({ labels, validation, image }: FineTuneSample, margin: number): ArrayLike<number> | undefined {
  if (margin <= 0) return validation;
  const painted = labels.map((v, i) => (v !== 0 || (validation !== undefined && validation[i] !== 0) ? 1 : 0));
  return distanceTransform(painted, image.width, image.height).map((d) => (d <= margin ? 1 : 0));
}

/** How samples are prepared for a run. */
export interface PrepareOptions {
  readonly loss: LossRecipe;
  /**
   * The starting model's class probabilities of an image (distillation: classes 1..k interleaved, see
   * teacherProbabilities), or null when it is off.
   */
  readonly teacher: ((image: FineTuneSample['image']) => Promise<Float32Array>) | null;
  /** Distance (px) around painted pixels left out of distillation (default 0). */
  readonly distillationMargin?: number;
}

/**
 * Prepares `samples`, reusing the preparation of any sample in `previous` with the same image and equal
 * labels, and the teacher plane of any with the same image (the teacher depends on the image alone).
 * A sample without training labels is kept out of the tile sampler but still validated.
 */
export async function prepareFineTuneSamples(
  samples: readonly FineTuneSample[],
  options: PrepareOptions,
  previous: readonly PreparedFineTuneSample[] = [],
): Promise<PreparedFineTuneSample[]> {
  const weights: BorderWeightOptions = { w0: options.loss.w0, sigma: options.loss.sigma, balanceClasses: options.loss.balanceClasses };
  const out: PreparedFineTuneSample[] = [];
  for (const [index, source] of samples.entries()) {
    const reuse = previous.find((p) => sameTraining(p.source, source));
    let teacher = previous.find((p) => p.source.image === source.image)?.teacher;
    if (teacher === undefined && options.teacher !== null) {
      teacher = await options.teacher(source.image);
    }
    const base = reuse?.prepared ?? prepareSample(source, options.loss.objectClass, weights, index);
    out.push({ source, prepared: teacher === undefined ? base : { ...base, teacher: teacherFor(teacher, source, options.distillationMargin ?? 0) }, teacher });
  }
  return out;
}
