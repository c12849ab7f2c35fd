/**
 * The U-Net training loss (Ronneberger et al. 2015, eq. 1): pixel-wise softmax cross-entropy, each pixel
 * weighted by the weight map w(x), here normalised by the sum of the weights so that the loss scale (and
 * hence a good learning rate) does not depend on the tile size or on how much of it is labelled.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * sum_x w(x) * -log softmax(logits(x))[target(x)] / sum_x w(x).
 * @param logits [n, h, w, classes] pre-softmax scores (log-softmax of logits is numerically stable,
 *   unlike the log of the model's softmax output).
 * @param targets [n, h, w] int32 class index per pixel (any value where the weight is 0).
 * @param weights [n, h, w] non-negative weights; 0 for unlabelled pixels.
 * @returns a scalar; 0 when every weight is 0 (nothing labelled), never NaN.
 */
export function weightedSoftmaxCrossEntropy(logits: tf.Tensor4D, targets: tf.Tensor3D, weights: tf.Tensor3D): tf.Scalar {
  const [n, h, w, classes] = logits.shape;
  for (const [name, t] of [['targets', targets], ['weights', weights]] as const) {
    if (t.shape[0] !== n || t.shape[1] !== h || t.shape[2] !== w) {
      throw new Error(`loss: ${name} shape [${t.shape.join(', ')}] does not match logits [${logits.shape.join(', ')}]`);
    }
  }
  return tf.tidy(() => {
    const logProbs = tf.logSoftmax(logits, -1);
    // Clamp targets into range: pixels with weight 0 may carry any class value.
    const safeTargets = tf.clipByValue(targets, 0, classes - 1).toInt();
    const picked = tf.sum(tf.mul(logProbs, tf.oneHot(safeTargets, classes)), -1);
    const total = tf.sum(weights);
    const weighted = tf.neg(tf.sum(tf.mul(picked, weights)));
    // Dividing by max(total, tiny) keeps an all-unlabelled tile at loss 0 with zero gradient.
    return tf.div(weighted, tf.maximum(total, 1e-12)) as tf.Scalar;
  });
}

/**
 * The same loss when a painted label names a group of classes: sum_x w(x) * -log sum_{c in group(x)} p_c(x)
 * / sum_x w(x), where group(x) is `foreground` when targets(x) = 1 and the other classes when it is 0.
 * Fine-tuning a boundary-class model uses it: a painted nucleus pixel may be interior or boundary, and
 * the loss rewards either, leaving the split between them to the model (and to distillation). With two
 * classes and foreground [1] it is weightedSoftmaxCrossEntropy itself.
 * @param targets [n, h, w] int32, 1 = foreground group, 0 = background group (any value where the weight is 0).
 */
export function weightedGroupCrossEntropy(
  logits: tf.Tensor4D,
  targets: tf.Tensor3D,
  weights: tf.Tensor3D,
  foreground: readonly number[],
): tf.Scalar {
  const classes = logits.shape[3];
  if (classes === 2 && foreground.length === 1 && foreground[0] === 1) return weightedSoftmaxCrossEntropy(logits, targets, weights);
  for (const [name, t] of [['targets', targets], ['weights', weights]] as const) {
    if (t.shape[0] !== logits.shape[0] || t.shape[1] !== logits.shape[1] || t.shape[2] !== logits.shape[2]) {
      throw new Error(`loss: ${name} shape [${t.shape.join(', ')}] does not match logits [${logits.shape.join(', ')}]`);
    }
  }
  const inForeground = Array.from({ length: classes }, (_, c) => (foreground.includes(c) ? 1 : 0));
  return tf.tidy(() => {
    const logProbs = tf.logSoftmax(logits, -1);
    // Per pixel, classes outside the target's group get -1e9 added: logSumExp then sums over the group.
    const isFg = tf.expandDims(tf.cast(tf.equal(targets, 1), 'float32'), -1);
    const fgRow = tf.tensor1d(inForeground);
    const member = tf.add(tf.mul(isFg, fgRow), tf.mul(tf.sub(1, isFg), tf.sub(1, fgRow)));
    const picked = tf.logSumExp(tf.add(logProbs, tf.mul(tf.sub(member, 1), 1e9)), -1);
    const total = tf.sum(weights);
    const weighted = tf.neg(tf.sum(tf.mul(picked, weights)));
    return tf.div(weighted, tf.maximum(total, 1e-12)) as tf.Scalar;
  });
}

/** Converts partial labels (0 unlabelled, 1 background, 2 foreground) to class indices 0 / 1 (unlabelled -> 0). */
export function partialToClassIndex(labels: Uint8Array): Int32Array {
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = labels[i] === 2 ? 1 : 0;
  return out;
}
