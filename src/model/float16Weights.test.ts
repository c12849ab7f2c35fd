import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { artifactsAsFloat16, float16Bits, float16Value } from './float16Weights';

describe('float16Bits (IEEE 754 binary16, round to nearest even)', () => {
  it('encodes the format\'s landmark values', () => {
    expect(float16Bits(1)).toBe(0x3c00);
    expect(float16Bits(-2)).toBe(0xc000);
    expect(float16Bits(0.5)).toBe(0x3800);
    expect(float16Bits(65504)).toBe(0x7bff);
    expect(float16Bits(2 ** -14)).toBe(0x0400); // smallest normal
    expect(float16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(float16Bits(1023 * 2 ** -24)).toBe(0x03ff); // largest subnormal
    expect(float16Bits(0)).toBe(0x0000);
    expect(float16Bits(-0)).toBe(0x8000);
    expect(float16Bits(Infinity)).toBe(0x7c00);
    expect(float16Bits(-Infinity)).toBe(0xfc00);
    expect(float16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(float16Bits(NaN) & 0x03ff).not.toBe(0);
  });

  it('rounds to the nearest half, ties to the even one', () => {
    expect(float16Bits(1 / 3)).toBe(0x3555);
    expect(float16Bits(0.1)).toBe(0x2e66);
    expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie between 0x3c00 and 0x3c01: even
    expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie between 0x3c01 and 0x3c02: even
    expect(float16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // just above the tie
    expect(float16Bits(1 - 2 ** -12)).toBe(0x3c00); // halfway between 0x3bff and 1.0 (0x3bff is odd): rounds up into the next binade
  });

  it('overflows to Infinity from 65520 and underflows to zero below 2^-25', () => {
    expect(float16Bits(65519)).toBe(0x7bff);
    expect(float16Bits(65520)).toBe(0x7c00);
    expect(float16Bits(2 ** -25)).toBe(0x0000); // tie between 0 and the smallest subnormal: even
    expect(float16Bits(2 ** -25 * 1.5)).toBe(0x0001);
    expect(float16Bits(-(2 ** -26))).toBe(0x8000);
  });

  it('decodes every finite half back to itself', () => {
    const wrong: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      const v = float16Value(bits);
      if (!Number.isNaN(v) && float16Bits(v) !== bits) wrong.push(bits);
    }
    expect(wrong).toEqual([]);
    expect(float16Value(0x3555)).toBe(0.333251953125);
  });
});

describe('artifactsAsFloat16', () => {
  const specs: tf.io.WeightsManifestEntry[] = [
    { name: 'k', shape: [2, 2], dtype: 'float32' },
    { name: 'b', shape: [2], dtype: 'float32' },
  ];

  it('halves the bytes, marks every spec float16, and tfjs decodes the values within 2^-11', () => {
    const values = Float32Array.from([0.1, -0.25, 3.14159, 1e-3, -7.5, 1 / 3]);
    const out = artifactsAsFloat16({ weightSpecs: specs }, values.buffer);
    expect(out.weightData.byteLength).toBe(values.byteLength / 2);
    expect(out.weightSpecs?.map((s) => s.quantization)).toEqual([{ dtype: 'float16' }, { dtype: 'float16' }]);
    const decoded = tf.io.decodeWeights(out.weightData, out.weightSpecs ?? []);
    const back = [...decoded.k.dataSync(), ...decoded.b.dataSync()];
    back.forEach((v, i) => expect(Math.abs(v - values[i])).toBeLessThanOrEqual(Math.abs(values[i]) * 2 ** -11));
    expect(back[4]).toBe(-7.5);
    for (const t of Object.values(decoded)) t.dispose();
  });

  it('refuses a weight a half cannot hold, and specs that are not plain float32, naming the weight', () => {
    const big = Float32Array.from([1, 2, 70000, 4, 5, 6]);
    expect(() => artifactsAsFloat16({ weightSpecs: specs }, big.buffer)).toThrow(/weight k holds 70000/);
    const quantised = [{ ...specs[0], quantization: { dtype: 'uint8' as const, scale: 1, min: 0 } }, specs[1]];
    expect(() => artifactsAsFloat16({ weightSpecs: quantised }, new Float32Array(6).buffer)).toThrow(/weight k is quantised as uint8/);
    expect(() => artifactsAsFloat16({ weightSpecs: specs }, new Float32Array(7).buffer)).toThrow(/describe 6 values but the weights hold 7/);
  });
});
