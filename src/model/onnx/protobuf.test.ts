import { describe, expect, it } from 'vitest';
import { ProtoWriter, float32LittleEndian, int64LittleEndian, varintLength } from './protobuf';

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');

// Expected bytes are the worked examples of the protobuf encoding guide (protobuf.dev, "Encoding") and
// the two's-complement rule for negative int64, not the encoder's own output.
describe('ProtoWriter', () => {
  it('writes varints 7 bits at a time, low group first', () => {
    expect(hex(new ProtoWriter().varint(1).finish())).toBe('01');
    expect(hex(new ProtoWriter().varint(127).finish())).toBe('7f');
    expect(hex(new ProtoWriter().varint(128).finish())).toBe('80 01');
    expect(hex(new ProtoWriter().varint(150).finish())).toBe('96 01');
    expect(hex(new ProtoWriter().varint(300).finish())).toBe('ac 02');
    // 2^32 needs 33 bits: five bytes, the last holding bit 28..32 (1 << 4).
    expect(hex(new ProtoWriter().varint(2 ** 32).finish())).toBe('80 80 80 80 10');
    expect(hex(new ProtoWriter().varint(Number.MAX_SAFE_INTEGER).finish())).toBe('ff ff ff ff ff ff ff 0f');
  });

  it('writes negative int64 as ten bytes of two\'s complement', () => {
    expect(hex(new ProtoWriter().varint(-1).finish())).toBe('ff ff ff ff ff ff ff ff ff 01');
    expect(hex(new ProtoWriter().varint(-2).finish())).toBe('fe ff ff ff ff ff ff ff ff 01');
    expect(varintLength(-5)).toBe(10);
    expect(varintLength(300)).toBe(2);
    expect(() => new ProtoWriter().varint(2 ** 60)).toThrow(/safe integer/);
    expect(() => new ProtoWriter().varint(1n << 64n)).toThrow(/64 bits/);
  });

  it('keys fields by number and wire type', () => {
    // The guide's Test1 { a = 1: 150 } and Test2 { b = 2: "testing" }.
    expect(hex(new ProtoWriter().int(1, 150).finish())).toBe('08 96 01');
    expect(hex(new ProtoWriter().string(2, 'testing').finish())).toBe('12 07 74 65 73 74 69 6e 67');
    // Test3 { c = 3: Test1 } embeds the Test1 bytes as a length-delimited field.
    expect(hex(new ProtoWriter().message(3, (m) => m.int(1, 150)).finish())).toBe('1a 03 08 96 01');
    // Packed repeated int32 d = 4: [3, 270, 86942].
    expect(hex(new ProtoWriter().packedInts(4, [3, 270, 86942]).finish())).toBe('22 06 03 8e 02 9e a7 05');
    // float field 2 = 1.0: wire type 5, IEEE 754 0x3f800000 little-endian.
    expect(hex(new ProtoWriter().float(2, 1).finish())).toBe('15 00 00 80 3f');
    expect(hex(new ProtoWriter().string(1, 'é').finish())).toBe('0a 02 c3 a9');
  });

  it('grows past its initial buffer', () => {
    const big = new Uint8Array(5000).map((_, i) => i % 251);
    const out = new ProtoWriter().int(1, 7).bytes(2, big).finish();
    expect(out.length).toBe(2 + 1 + 2 + 5000);
    expect(hex(out.subarray(0, 5))).toBe('08 07 12 88 27');
    expect(out.subarray(5)).toEqual(big);
  });

  it('serialises raw tensor data little-endian', () => {
    expect(hex(float32LittleEndian(Float32Array.of(1, -2)))).toBe('00 00 80 3f 00 00 00 c0');
    expect(hex(int64LittleEndian([1, -1]))).toBe('01 00 00 00 00 00 00 00 ff ff ff ff ff ff ff ff');
  });
});
