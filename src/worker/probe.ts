import * as tf from '@tensorflow/tfjs';
import { createRng } from '../model/random';

/** Seeded values in [-0.5, 0.5), so probes and self-tests compare like with like across backends. */
export function seededValues(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.next() - 0.5;
  return out;
}

/** A 3x3 'valid' convolution of seeded data on the active backend, read back to the CPU. */
export async function convOnActiveBackend(size: number, channels: number, seed: number): Promise<Float32Array> {
  const x = tf.tensor4d(seededValues(size * size * channels, seed), [1, size, size, channels]);
  const w = tf.tensor4d(seededValues(9 * channels * channels, seed + 1), [3, 3, channels, channels]);
  const y = tf.conv2d(x, w, 1, 'valid');
  try {
    return (await y.data()) as Float32Array;
  } finally {
    tf.dispose([x, w, y]);
  }
}

/** Milliseconds per conv on the active backend (after one warm-up that compiles shaders). */
export async function probeConv(): Promise<number> {
  await convOnActiveBackend(64, 16, 1);
  const runs = 3;
  const start = performance.now();
  for (let i = 0; i < runs; i++) await convOnActiveBackend(64, 16, 2 + i);
  return (performance.now() - start) / runs;
}
