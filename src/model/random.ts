/**
 * One small seeded generator for everything random in training (tile positions, augmentation, shuffling),
 * so that a run is reproducible from its seed in the browser and in Node alike. Math.random cannot be
 * seeded; tfjs's random ops are seeded per call, which would not cover the plain-TS augmentation.
 */

/** A seeded source of random numbers. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (mean 0, std 1). */
  normal(): number;
  /** A 32-bit integer seed for another generator (e.g. a tfjs dropout seed). */
  seed(): number;
  /** Where the stream stands now; {@link restoreRng} continues it exactly (a resumed training run). */
  state(): RngState;
}

/** The whole state of an {@link Rng}: plain numbers, so it survives JSON. */
export interface RngState {
  readonly state: number;
  /** The second normal of the last Box-Muller pair, not yet returned. */
  readonly spare: number | null;
}

/**
 * mulberry32 (Tommy Ettinger): 32-bit state, passes the usual statistical batteries, fast in JS.
 * Different seeds give independent-looking streams; the same seed gives the same stream everywhere.
 */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  return restoreRng({ state: Math.trunc(seed) >>> 0, spare: null });
}

/** A generator that continues from `from` (taken with `state()`), drawing exactly what the original would. */
export function restoreRng(from: RngState): Rng {
  if (!Number.isInteger(from.state) || from.state < 0 || from.state > 0xffffffff) {
    throw new RangeError(`rng state must be a 32-bit unsigned integer, got ${from.state}`);
  }
  if (from.spare !== null && !Number.isFinite(from.spare)) throw new RangeError(`rng spare must be a finite number or null, got ${from.spare}`);
  let state = from.state;
  let spare: number | null = from.spare;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (n) => {
      if (!Number.isInteger(n) || n < 1) throw new RangeError(`int(n) needs a positive integer, got ${n}`);
      return Math.floor(next() * n);
    },
    normal: () => {
      // Box-Muller gives two normals per pair of uniforms; keep the second for the next call.
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      let u = next();
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    seed: () => Math.floor(next() * 4294967296) >>> 0,
    state: () => ({ state, spare }),
  };
}
