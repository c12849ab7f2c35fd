import * as tf from '@tensorflow/tfjs';

/** Deterministic pseudo-random values (mulberry32), so probes and self-tests compare like with like. */
export function seededValues(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  }
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
