/*
 * NumPy .npy files of float32 arrays (bioimage.io test tensors), per the format spec
 * (numpy.lib.format): the magic "\x93NUMPY", version 1.0, a little-endian uint16 header length, and an
 * ASCII header holding a Python dict literal ('descr', 'fortran_order', 'shape'), padded with spaces and
 * ending in '\n' so that the data starts at a multiple of 64 bytes; then the values, little-endian, in C
 * (row-major) order.
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const PREAMBLE = MAGIC.length + 2 + 2; // magic, version, header length (version 1.0)

/** A float32 array with its shape (C order). */
export interface NpyArray {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

function shapeLiteral(shape: readonly number[]): string {
  // Python tuple syntax: "()", "(5,)", "(1, 2, 3)".
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** Encodes a float32 array as a version 1.0 .npy file. */
export function encodeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new RangeError(`npy: invalid shape [${shape.join(', ')}]`);
  const count = shape.reduce((n, d) => n * d, 1);
  if (count !== data.length) throw new RangeError(`npy: shape [${shape.join(', ')}] holds ${count} values, got ${data.length}`);
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeLiteral(shape)}, }`;
  const unpadded = PREAMBLE + dict.length + 1; // + '\n'
  const headerLength = dict.length + 1 + ((64 - (unpadded % 64)) % 64);
  if (headerLength > 0xffff) throw new RangeError('npy: header too long for format version 1.0');
  const out = new Uint8Array(PREAMBLE + headerLength + 4 * count);
  out.set(MAGIC, 0);
  out[6] = 1; // major version
  out[7] = 0; // minor version
  out[8] = headerLength & 0xff;
  out[9] = headerLength >> 8;
  for (let i = 0; i < headerLength - 1; i++) out[PREAMBLE + i] = i < dict.length ? dict.charCodeAt(i) : 0x20;
  out[PREAMBLE + headerLength - 1] = 0x0a;
  const view = new DataView(out.buffer, PREAMBLE + headerLength);
  for (let i = 0; i < count; i++) view.setFloat32(4 * i, data[i], true);
  return out;
}

/**
 * Decodes a .npy file holding little-endian float32 values in C order (format versions 1.0 to 3.0);
 * refuses other dtypes and Fortran order with a message saying which.
 */
export function decodeNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < PREAMBLE || !MAGIC.every((b, i) => bytes[i] === b)) throw new Error('npy: not a NumPy .npy file');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const wide = major >= 2;
  const headerLength = wide ? view.getUint32(8, true) : view.getUint16(8, true);
  const headerStart = wide ? 12 : 10;
  if (headerStart + headerLength > bytes.length) throw new Error('npy: header runs past the end of the file');
  let header = '';
  for (let i = 0; i < headerLength; i++) header += String.fromCharCode(bytes[headerStart + i]);
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  if (descr !== '<f4') throw new Error(`npy: dtype ${descr ?? '?'} is not read (only little-endian float32, '<f4')`);
  if (!/'fortran_order':\s*False/.test(header)) throw new Error('npy: Fortran-order arrays are not read');
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (shapeText === undefined) throw new Error('npy: header has no shape');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new Error(`npy: invalid shape (${shapeText})`);
  const count = shape.reduce((n, d) => n * d, 1);
  const dataStart = headerStart + headerLength;
  if (bytes.length - dataStart !== 4 * count) {
    throw new Error(`npy: shape (${shape.join(', ')}) needs ${4 * count} bytes of data, the file has ${bytes.length - dataStart}`);
  }
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = view.getFloat32(dataStart + 4 * i, true);
  return { data, shape };
}
