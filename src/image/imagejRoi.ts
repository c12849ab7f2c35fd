import { unzipSync, zipSync, type Zippable } from 'fflate';
import { pixelOutline, type Polygon } from './contours';
import { checkPlane } from './neighbours';

/**
 * ImageJ ROI files (.roi) and RoiSet.zip, the format Fiji's ROI Manager opens. Layout as read by
 * ImageJ's ij/io/RoiDecoder.java and written by RoiEncoder.java (all numbers big-endian):
 *
 *   header (64 bytes)              header2 (64 bytes, at the offset stored at byte 60)
 *   0-3   "Iout"                   0-3   unused
 *   4-5   version                  4-15  C, Z, T position (int32 each)
 *   6     type (0 = polygon)       16-19 name offset (int32), 20-23 name length (UTF-16 chars)
 *   8-15  top, left, bottom, right 24-35 overlay label colour, font size, group, opacity, image size
 *   16-17 number of coordinates    36-39 stroke width (float32)
 *   18-33 line / sub-pixel fields  40-63 properties, counters, extended group (unused here)
 *   34-35 stroke width
 *   36-39 shape ROI size (0)       then: the name, UTF-16BE
 *   40-47 stroke, fill colour
 *   48-49 subtype, 50-51 options
 *   52-55 arrow / point fields
 *   56-59 position, 60-63 header2 offset
 *   64-   n x then n y coordinates (int16, relative to left / top)
 *
 * We write polygon ROIs (type 0) with integer vertices at pixel corners, version 228 (ImageJ 1.52t+;
 * older versions read the same bytes and ignore header2), and the name in header2 so that a ROI keeps
 * its object id when renamed files are merged.
 */

/** ROI types of the format (RoiDecoder). */
export const ROI_TYPES = {
  polygon: 0, rect: 1, oval: 2, line: 3, freeline: 4, polyline: 5, noRoi: 6, freehand: 7, traced: 8, angle: 9, point: 10,
} as const;

const HEADER_SIZE = 64;
const HEADER2_SIZE = 64;
const VERSION = 228;
const SUB_PIXEL_RESOLUTION = 128;
const MAX_COORDINATE = 32767;

/** Encodes a closed polygon (absolute pixel-corner coordinates) as an ImageJ polygon ROI. */
export function encodeImageJRoi(polygon: Polygon, name = ''): Uint8Array {
  const n = polygon.x.length;
  if (n !== polygon.y.length) throw new RangeError(`polygon has ${n} x but ${polygon.y.length} y coordinates`);
  if (n === 0 || n > 65535) throw new RangeError(`a polygon ROI needs 1 to 65535 vertices, got ${n}`);
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  for (let i = 0; i < n; i++) {
    left = Math.min(left, polygon.x[i]);
    right = Math.max(right, polygon.x[i]);
    top = Math.min(top, polygon.y[i]);
    bottom = Math.max(bottom, polygon.y[i]);
  }
  if (left < 0 || top < 0 || right > MAX_COORDINATE || bottom > MAX_COORDINATE) {
    throw new RangeError(`ROI coordinates must lie in 0..${MAX_COORDINATE} (ImageJ stores them as 16-bit integers), got x ${left}..${right}, y ${top}..${bottom}`);
  }
  const header2 = HEADER_SIZE + 4 * n;
  const bytes = new Uint8Array(header2 + HEADER2_SIZE + 2 * name.length);
  const view = new DataView(bytes.buffer);
  bytes.set([73, 111, 117, 116], 0); // "Iout"
  view.setInt16(4, VERSION);
  bytes[6] = ROI_TYPES.polygon;
  view.setInt16(8, top);
  view.setInt16(10, left);
  view.setInt16(12, bottom);
  view.setInt16(14, right);
  view.setUint16(16, n);
  view.setInt32(60, header2);
  for (let i = 0; i < n; i++) {
    view.setInt16(HEADER_SIZE + 2 * i, polygon.x[i] - left);
    view.setInt16(HEADER_SIZE + 2 * n + 2 * i, polygon.y[i] - top);
  }
  if (name.length > 0) {
    view.setInt32(header2 + 16, header2 + HEADER2_SIZE);
    view.setInt32(header2 + 20, name.length);
    for (let i = 0; i < name.length; i++) view.setUint16(header2 + HEADER2_SIZE + 2 * i, name.charCodeAt(i));
  }
  return bytes;
}

/** A decoded ROI: the header fields we use and the vertices in absolute image coordinates. */
export interface ImageJRoi {
  readonly name: string;
  readonly version: number;
  readonly type: number;
  readonly top: number;
  readonly left: number;
  readonly bottom: number;
  readonly right: number;
  readonly position: number;
  readonly x: number[];
  readonly y: number[];
}

/**
 * Decodes an ImageJ ROI with vertices (polygon, freehand, traced, polyline, freeline, angle, point),
 * including sub-pixel float coordinates. The name comes from header2, else from `fileName`.
 * @throws RangeError naming what is wrong (not a ROI, truncated, a type without vertices).
 */
export function decodeImageJRoi(bytes: Uint8Array, fileName = ''): ImageJRoi {
  const label = fileName || 'ROI';
  if (bytes.length < HEADER_SIZE || String.fromCharCode(...bytes.subarray(0, 4)) !== 'Iout') {
    throw new RangeError(`${label}: not an ImageJ ROI (it must start with "Iout" and have a 64-byte header)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getInt16(4);
  const type = bytes[6];
  if (type === ROI_TYPES.rect || type === ROI_TYPES.oval || type === ROI_TYPES.line || type === ROI_TYPES.noRoi || view.getInt32(36) > 0) {
    throw new RangeError(`${label}: ROI type ${type} has no vertex list (only polygon-like ROIs are read)`);
  }
  if (type > ROI_TYPES.point) throw new RangeError(`${label}: unknown ROI type ${type}`);
  const top = view.getInt16(8);
  const left = view.getInt16(10);
  const n = view.getUint16(16);
  const options = view.getInt16(50);
  const subPixel = (options & SUB_PIXEL_RESOLUTION) !== 0 && version >= 222;
  const need = HEADER_SIZE + 4 * n + (subPixel ? 8 * n : 0);
  if (bytes.length < need) throw new RangeError(`${label}: truncated: ${n} vertices need ${need} bytes but the file has ${bytes.length}`);
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    if (subPixel) {
      x.push(view.getFloat32(HEADER_SIZE + 4 * n + 4 * i));
      y.push(view.getFloat32(HEADER_SIZE + 8 * n + 4 * i));
    } else {
      x.push(left + view.getInt16(HEADER_SIZE + 2 * i));
      y.push(top + view.getInt16(HEADER_SIZE + 2 * n + 2 * i));
    }
  }
  let name = fileName.replace(/\.roi$/i, '');
  const header2 = view.getInt32(60);
  if (header2 > 0 && header2 + 24 <= bytes.length) {
    const offset = view.getInt32(header2 + 16);
    const length = view.getInt32(header2 + 20);
    if (offset > 0 && length > 0 && offset + 2 * length <= bytes.length) {
      name = '';
      for (let i = 0; i < length; i++) name += String.fromCharCode(view.getUint16(offset + 2 * i));
    }
  }
  return { name, version, type, top, left, bottom: view.getInt16(12), right: view.getInt16(14), position: view.getInt32(56), x, y };
}

/** One outline polygon per object, named by its zero-padded id (the id column of the measurement CSV). */
export function objectOutlines(labels: ArrayLike<number>, width: number, height: number): { id: number; name: string; polygon: Polygon }[] {
  checkPlane('labels', labels.length, width, height);
  const first = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) if (labels[i] !== 0 && !first.has(labels[i])) first.set(labels[i], i);
  const starts = [...first.entries()].sort((a, b) => a[0] - b[0]);
  const digits = Math.max(4, String(starts.at(-1)?.[0] ?? 0).length);
  return starts.map(([id, start]) => ({
    id,
    name: String(id).padStart(digits, '0'),
    polygon: pixelOutline(labels, width, height, id, start, 8),
  }));
}

/** RoiSet.zip of every object's outline (entries NAME.roi), as Fiji's ROI Manager saves and opens it. */
export function roiSetZip(labels: ArrayLike<number>, width: number, height: number): Uint8Array {
  const entries: Zippable = {};
  for (const { name, polygon } of objectOutlines(labels, width, height)) entries[`${name}.roi`] = encodeImageJRoi(polygon, name);
  return zipSync(entries, { level: 6 });
}

/** Reads every .roi entry of a RoiSet.zip, in the order of the archive. */
export function readRoiSetZip(zip: Uint8Array): ImageJRoi[] {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip);
  } catch (e) {
    throw new RangeError(`not a readable ZIP: ${e instanceof Error ? e.message : String(e)}`);
  }
  return Object.entries(files)
    .filter(([name]) => name.toLowerCase().endsWith('.roi'))
    .map(([name, bytes]) => decodeImageJRoi(bytes, name.split('/').pop() ?? name));
}
