/**
 * "Keep what the user did not correct": a distillation term that holds the fine-tuned model close to
 * the starting model's own predictions on the pixels nobody labelled. Sparse corrections then move the
 * model where they are, instead of dragging the whole probability map along (the issue measured a map
 * flattened to ~0.5 after 100 unconstrained steps).
 *
 * The teacher is the starting model's foreground probability over the whole image, computed once per
 * image with overlap-tile inference (so it is exactly the prediction the user saw), and resampled with
 * each tile like the labels. The term is the mean KL divergence KL(teacher || student) over the
 * unlabelled pixels inside the image of the tile's output window. It is 0 for the starting model and
 * has the gradient of the cross-entropy to the teacher.
 *
 * Normalisation: the labelled term is a weighted mean over labelled pixels (loss.ts divides by the sum
 * of the weights) and this term is a mean over unlabelled pixels, so `distillation` = 1 weighs the
 * average unlabelled pixel like the average labelled one, however few pixels were painted. Summing
 * instead would let the (many) unlabelled pixels swamp a few strokes.
 */
import * as tf from '@tensorflow/tfjs';
import type { FloatPlane } from '../image/types';
import { segmentPlane } from './segment';
import type { Segmenter } from './types';

/**
 * The starting model's class probabilities over a whole image: for a model of C classes, C - 1 values per
 * pixel (classes 1..C-1, interleaved; class 0 is what they leave). A 2-class model gives its foreground
 * probability alone. A boundary-class model gives interior and boundary, so that distillation holds the
 * split between them too, not only their sum (the painted labels say nothing about it).
 */
export async function teacherProbabilities(segmenter: Segmenter, image: FloatPlane, budgetBytes: number): Promise<Float32Array> {
  const k = segmenter.config.classes - 1;
  if (k === 1) return (await segmentPlane(segmenter, image, { foregroundClass: 1, budgetBytes })).probabilities;
  const out = new Float32Array(image.width * image.height * k);
  for (let c = 1; c <= k; c++) {
    const { probabilities } = await segmentPlane(segmenter, image, { foregroundClass: c, budgetBytes });
    for (let i = 0; i < probabilities.length; i++) out[i * k + c - 1] = probabilities[i];
  }
  return out;
}

/**
 * Mask of the pixels the distillation term covers: unlabelled (label 0) and inside the image (the
 * augmented teacher tile marks positions outside the image with -1). `teacher` holds k values per pixel.
 */
export function distillationMask(labels: Uint8Array, teacher: Float32Array): Float32Array {
  const k = teacher.length / labels.length;
  const mask = new Float32Array(labels.length);
  for (let i = 0; i < labels.length; i++) mask[i] = labels[i] === 0 && teacher[i * k] >= 0 ? 1 : 0;
  return mask;
}

/**
 * mean over mask of KL(q || softmax(logits)), q = [1 - sum(t), t_1, ..., t_k] from the teacher values t.
 * @param logits [n, h, w, C] pre-softmax scores.
 * @param teacher [n, h, w] (C = 2: the foreground probability) or [n, h, w, C - 1] (classes 1..C-1);
 *   any value where mask is 0.
 * @param mask [n, h, w] 1 where the term applies, else 0.
 * @returns a scalar; 0 when the mask is empty.
 */
export function distillationLoss(logits: tf.Tensor4D, teacher: tf.Tensor3D | tf.Tensor4D, mask: tf.Tensor3D): tf.Scalar {
  const [n, h, w, classes] = logits.shape;
  const k = teacher.rank === 3 ? 1 : teacher.shape[3];
  if (k !== classes - 1) {
    throw new Error(`distillation: the teacher has ${k} values per pixel, a ${classes}-class model needs ${classes - 1}`);
  }
  for (const [name, t] of [['teacher', teacher], ['mask', mask]] as const) {
    if (t.shape[0] !== n || t.shape[1] !== h || t.shape[2] !== w) {
      throw new Error(`distillation: ${name} shape [${t.shape.join(', ')}] does not match logits [${logits.shape.join(', ')}]`);
    }
  }
  return tf.tidy(() => {
    const logP = tf.logSoftmax(logits, -1);
    let q: tf.Tensor;
    if (teacher.rank === 3) {
      const q1 = tf.clipByValue(teacher, 1e-7, 1 - 1e-7);
      q = tf.stack([tf.sub(1, q1), q1], -1);
    } else {
      q = tf.clipByValue(tf.concat([tf.sub(1, tf.sum(teacher, -1, true)), teacher], -1), 1e-7, 1);
    }
    // KL = sum_c q_c (log q_c - log p_c); the q log q part is constant but makes the term 0 at the start.
    const kl = tf.sum(tf.mul(q, tf.sub(tf.log(q), logP)), -1);
    return tf.div(tf.sum(tf.mul(kl, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  });
}
