/**
 * Storing a model's weights as IEEE 754 half floats (binary16), the `float16` quantisation of the tfjs
 * weights manifest, which tfjs decodes back to float32 when it loads the model.
 *
 * Why: the shipped models must stay under 10 MB (issue 10), and float32 weights cap a U-Net at 2.5 M
 * parameters. Half floats carry 11 significant bits, a relative error of at most 2^-11 per weight, which
 * moves a U-Net's probabilities by far less than its own errors (README, *Half-float weights*), and halve
 * the download. Training and inference still run in float32: only the stored bytes change.
 */
import type * as tf from '@tensorflow/tfjs';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The largest finite half float. */
export const FLOAT16_MAX = 65504;

/** The binary16 bits of `value` rounded to the nearest half float (ties to even); beyond ±65504 → ±Infinity. */
export function float16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  // Normal halves keep the top 10 mantissa bits; subnormal ones shift the implicit 1 in as well.
  const shift = e > 0 ? 13 : 14 - e;
  if (shift > 24) return sign;
  const bits = e > 0 ? mantissa : mantissa | 0x800000;
  let half = (e > 0 ? e << 10 : 0) | (bits >>> shift);
  const rest = bits & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  // A carry out of the mantissa lands in the exponent: the next binade, or Infinity from 65520 up.
  if (rest > halfway || (rest === halfway && (half & 1) === 1)) half++;
  return sign | half;
}

/** The value of binary16 `bits`. */
export function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}

/**
 * The same artifacts with every float32 weight stored as float16: half the weight bytes, each spec marked
 * `quantization: { dtype: 'float16' }` so tfjs (and our import check) decode it.
 * @throws Error naming the weight when a spec is not plain float32, or a weight is beyond ±65504 or not finite.
 */
export function artifactsAsFloat16(artifacts: tf.io.ModelArtifacts, weightData: ArrayBuffer): tf.io.ModelArtifacts & { weightData: ArrayBuffer } {
  const specs = artifacts.weightSpecs ?? [];
  const values = new Float32Array(weightData);
  const halves = new Uint16Array(values.length);
  let offset = 0;
  const weightSpecs = specs.map((spec) => {
    if (spec.dtype !== 'float32' || spec.quantization !== undefined) {
      throw new Error(`weight ${spec.name} is ${spec.quantization ? `quantised as ${spec.quantization.dtype}` : spec.dtype}; only float32 weights can be stored as float16`);
    }
    const count = spec.shape.reduce((a, b) => a * b, 1);
    for (let i = offset; i < offset + count; i++) {
      if (!(Math.abs(values[i]) <= FLOAT16_MAX)) {
        throw new Error(`weight ${spec.name} holds ${values[i]}, which a half float cannot store (beyond ±${FLOAT16_MAX} or not finite)`);
      }
      halves[i] = float16Bits(values[i]);
    }
    offset += count;
    return { ...spec, quantization: { dtype: 'float16' as const } };
  });
  if (offset !== values.length) throw new Error(`the weight specs describe ${offset} values but the weights hold ${values.length}`);
  return { ...artifacts, weightSpecs, weightData: halves.buffer };
}
