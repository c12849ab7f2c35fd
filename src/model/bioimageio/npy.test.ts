import { describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy } from './npy';

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));
const hex = (s: string): number[] => s.match(/../g)?.map((h) => parseInt(h, 16)) ?? [];

/**
 * What numpy.save writes for np.array([[1, -2, 0.5], [0, 3.25, -1e-3]], dtype='<f4'): written out by
 * hand from the format spec (magic, version 1.0, header length 118 so that data starts at byte 128,
 * the dict padded with spaces and '\n') and the IEEE-754 bit patterns of the values, little-endian.
 */
const HAND_MADE = new Uint8Array([
  0x93,
  ...ascii('NUMPY'),
  0x01,
  0x00,
  118,
  0,
  ...ascii("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"),
  ...ascii(' '.repeat(117 - 59)), // the dict is 59 characters
  0x0a,
  ...hex('0000803f' + '000000c0' + '0000003f' + '00000000' + '00005040' + '6f1283ba'),
]);

describe('encodeNpy', () => {
  it('writes exactly the bytes of the format spec', () => {
    const bytes = encodeNpy(new Float32Array([1, -2, 0.5, 0, 3.25, -1e-3]), [2, 3]);
    expect(HAND_MADE.length).toBe(152);
    expect(Array.from(bytes)).toEqual(Array.from(HAND_MADE));
  });

  it('aligns the data to 64 bytes for any rank and writes 1-tuples with a comma', () => {
    for (const shape of [[1], [4, 5], [1, 8, 8, 1], [1, 100, 100, 2]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const bytes = encodeNpy(new Float32Array(n), shape);
      const headerLength = bytes[8] | (bytes[9] << 8);
      expect((10 + headerLength) % 64).toBe(0);
      expect(bytes[10 + headerLength - 1]).toBe(0x0a);
      expect(bytes.length).toBe(10 + headerLength + 4 * n);
    }
    const one = encodeNpy(new Float32Array([7]), [1]);
    expect(String.fromCharCode(...one.slice(10, 70))).toContain("'shape': (1,), }");
  });

  it('refuses a shape that does not hold the data', () => {
    expect(() => encodeNpy(new Float32Array(5), [2, 3])).toThrow(/holds 6 values, got 5/);
  });
});

describe('decodeNpy', () => {
  it('reads the hand-made file and round-trips encodeNpy', () => {
    const { data, shape } = decodeNpy(HAND_MADE);
    expect(shape).toEqual([2, 3]);
    expect(Array.from(data)).toEqual(Array.from(new Float32Array([1, -2, 0.5, 0, 3.25, -1e-3])));
    const values = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i) * 1e3);
    const back = decodeNpy(encodeNpy(values, [1, 2, 3, 4]));
    expect(back.shape).toEqual([1, 2, 3, 4]);
    expect(back.data).toEqual(values);
  });

  it('refuses other dtypes, Fortran order and truncated data', () => {
    const swap = (from: string, to: string): Uint8Array => {
      const out = HAND_MADE.slice();
      const at = String.fromCharCode(...HAND_MADE).indexOf(from);
      out.set(ascii(to), at);
      return out;
    };
    expect(() => decodeNpy(swap("'<f4'", "'<f8'"))).toThrow(/dtype <f8/);
    expect(() => decodeNpy(swap("'<f4'", "'>f4'"))).toThrow(/dtype >f4/);
    expect(() => decodeNpy(swap('False', 'True '))).toThrow(/Fortran/);
    expect(() => decodeNpy(HAND_MADE.slice(0, 150))).toThrow(/needs 24 bytes of data, the file has 22/);
    expect(() => decodeNpy(new Uint8Array([1, 2, 3]))).toThrow(/not a NumPy/);
  });
});
