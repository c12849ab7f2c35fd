import { strToU8 } from 'fflate';

/*
 * A minimal Protocol Buffers *encoder*: just what writing an ONNX model needs, so the export has no
 * dependency (protobufjs and onnx's generated code would be far larger than the few rules used here).
 *
 * Wire format (protobuf encoding reference): each field is a key varint (field number << 3 | wire type)
 * followed by its value. Wire type 0 = varint (int32/int64/enum/bool), 2 = length-delimited (string,
 * bytes, embedded message, packed repeated scalars), 5 = 32-bit little-endian (float). Varints carry 7
 * bits per byte, least significant group first, with the high bit set on every byte but the last.
 * Negative int32/int64 values are written as their 64-bit two's complement, i.e. always 10 bytes.
 * Fields may appear in any order; a parser concatenates repeated fields and takes the last scalar.
 */

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

/** Growable byte buffer with typed protobuf field writers; `finish()` returns the encoded message. */
export class ProtoWriter {
  private buffer = new Uint8Array(256);
  private length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }

  private byte(b: number): void {
    this.reserve(1);
    this.buffer[this.length++] = b;
  }

  /** A varint of any integer in [-2^63, 2^64); negative values as 64-bit two's complement (10 bytes). */
  varint(value: number | bigint): this {
    let v = typeof value === 'bigint' ? value : toBigIntChecked(value);
    if (v < -(1n << 63n) || v >= 1n << 64n) throw new RangeError(`varint: ${value} does not fit in 64 bits`);
    if (v < 0n) v = BigInt.asUintN(64, v);
    while (v > 0x7fn) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
    return this;
  }

  private key(field: number, wireType: number): void {
    if (!Number.isInteger(field) || field < 1 || field > 0x1fffffff) throw new RangeError(`protobuf field number ${field} is invalid`);
    this.varint(field * 8 + wireType);
  }

  /** int32 / int64 / enum / bool field. */
  int(field: number, value: number | bigint): this {
    this.key(field, WIRE_VARINT);
    return this.varint(value);
  }

  /** float field (wire type 5, IEEE 754 single, little-endian). */
  float(field: number, value: number): this {
    this.key(field, WIRE_FIXED32);
    this.reserve(4);
    new DataView(this.buffer.buffer, this.buffer.byteOffset).setFloat32(this.length, value, true);
    this.length += 4;
    return this;
  }

  /** bytes or an already encoded embedded message. */
  bytes(field: number, value: Uint8Array): this {
    this.key(field, WIRE_LENGTH_DELIMITED);
    this.varint(value.length);
    this.reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
    return this;
  }

  /** string field (UTF-8). */
  string(field: number, value: string): this {
    return this.bytes(field, strToU8(value));
  }

  /** Embedded message, written by `build` into a fresh writer. */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  /** Packed repeated int32/int64 (one length-delimited field of concatenated varints). */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.bytes(field, inner.finish());
  }

  /** Packed repeated float (one length-delimited field of little-endian 32-bit floats). */
  packedFloats(field: number, values: readonly number[]): this {
    const data = new Uint8Array(values.length * 4);
    const view = new DataView(data.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    return this.bytes(field, data);
  }

  /** The encoded bytes (a copy trimmed to length). */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

function toBigIntChecked(value: number): bigint {
  if (!Number.isSafeInteger(value)) throw new RangeError(`varint: ${value} is not a safe integer`);
  return BigInt(value);
}

/** Number of bytes `varint(value)` writes (exported for tests and size estimates). */
export function varintLength(value: number | bigint): number {
  let v = typeof value === 'bigint' ? value : toBigIntChecked(value);
  if (v < 0n) return 10;
  let n = 1;
  while (v > 0x7fn) {
    v >>= 7n;
    n++;
  }
  return n;
}

/** Little-endian IEEE 754 float32 bytes of `values` (ONNX raw_data is little-endian on every platform). */
export function float32LittleEndian(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return out;
}

/** Little-endian int64 bytes of integer `values`. */
export function int64LittleEndian(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, toBigIntChecked(v), true));
  return out;
}
