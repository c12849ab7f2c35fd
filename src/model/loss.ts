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

/** Converts partial labels (0 unlabelled, 1 background, 2 foreground) to class indices 0 / 1 (unlabelled -> 0). */
export function partialToClassIndex(labels: Uint8Array): Int32Array {
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = labels[i] === 2 ? 1 : 0;
  return out;
}
