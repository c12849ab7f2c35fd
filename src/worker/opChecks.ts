import * as tf from '@tensorflow/tfjs';
import { seededValues } from './probe';

/**
 * The ops a U-Net forward pass uses, each on seeded data. Comparing their outputs across backends points
 * at the kernel that breaks when a whole-model comparison disagrees.
 */
const checks: Record<string, () => tf.Tensor> = {
  conv3x3: () => tf.conv2d(t([1, 20, 20, 8], 1), t([3, 3, 8, 16], 2), 1, 'valid'),
  conv3x3c1: () => tf.conv2d(t([1, 20, 20, 1], 3), t([3, 3, 1, 8], 4), 1, 'valid'),
  conv1x1: () => tf.conv2d(t([1, 9, 9, 8], 5), t([1, 1, 8, 2], 6), 1, 'valid'),
  upconv2x2: () => tf.conv2dTranspose(t([1, 6, 6, 16], 7), t([2, 2, 8, 16], 8), [1, 12, 12, 8], 2, 'valid'),
  maxPool: () => tf.maxPool(t([1, 12, 12, 8], 9), 2, 2, 'valid'),
  concat: () => tf.concat([t([1, 6, 6, 8], 10), t([1, 6, 6, 4], 11)], 3),
  slice: () => tf.slice(t([1, 10, 10, 4], 12), [0, 2, 2, 0], [-1, 6, 6, -1]),
  relu: () => tf.relu(t([1, 8, 8, 4], 13)),
  softmax: () => tf.softmax(t([1, 8, 8, 2], 14)),
  biasAdd: () => tf.add(t([1, 8, 8, 4], 15), v(4, 16)),
};

function t(shape: [number, number, number, number], seed: number): tf.Tensor4D {
  return tf.tensor4d(seededValues(shape.reduce((a, b) => a * b, 1), seed), shape);
}

function v(n: number, seed: number): tf.Tensor1D {
  return tf.tensor1d(seededValues(n, seed));
}

/** Runs every check on the active backend and returns the outputs by name. */
export async function runOpChecks(): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const [name, make] of Object.entries(checks)) {
    const y = tf.tidy(make);
    out[name] = (await y.data()) as Float32Array;
    y.dispose();
  }
  return out;
}
