import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { decodeImageJRoi, encodeImageJRoi, objectOutlines, readRoiSetZip, roiSetZip } from './imagejRoi';

/** Big-endian helpers for writing the expected bytes straight from the format description. */
const i16 = (v: number): number[] => [(v >> 8) & 255, v & 255];
const i32 = (v: number): number[] => [(v >>> 24) & 255, (v >> 16) & 255, (v >> 8) & 255, v & 255];
const zeros = (n: number): number[] => new Array<number>(n).fill(0);

describe('ImageJ .roi encoding', () => {
  it('writes a polygon ROI byte for byte as RoiDecoder reads it', () => {
    // The 3 x 3 square at x 1..3, y 0..2: pixel-corner vertices (1,0) (4,0) (4,3) (1,3).
    const bytes = encodeImageJRoi({ x: Int32Array.of(1, 4, 4, 1), y: Int32Array.of(0, 0, 3, 3) }, '0007');
    const header2 = 64 + 4 * 4; // after 4 x and 4 y int16 coordinates
    const expected = [
      ...[0x49, 0x6f, 0x75, 0x74], // "Iout"
      ...i16(228), // version
      0, 0, // type polygon (byte 6), byte 7 unused
      ...i16(0), ...i16(1), ...i16(3), ...i16(4), // top, left, bottom, right
      ...i16(4), // number of coordinates
      ...zeros(60 - 18), // line fields, stroke, shape size, colours, subtype, options, arrow, position
      ...i32(header2), // header2 offset (byte 60)
      ...i16(0), ...i16(3), ...i16(3), ...i16(0), // x relative to left
      ...i16(0), ...i16(0), ...i16(3), ...i16(3), // y relative to top
      ...zeros(16), // header2 0-15: unused, C, Z, T position
      ...i32(header2 + 64), // name offset
      ...i32(4), // name length in UTF-16 characters
      ...zeros(64 - 24), // label colour, font size, group, opacity, image size, stroke width 0.0f, ...
      ...[0, 0x30, 0, 0x30, 0, 0x30, 0, 0x37], // "0007" UTF-16BE
    ];
    expect([...bytes]).toEqual(expected);
    expect(bytes.length).toBe(152);
  });

  it('reads our file back: header fields, absolute vertices and the name', () => {
    const x = Int32Array.of(100, 140, 140, 120, 120, 100);
    const y = Int32Array.of(7, 7, 30, 30, 50, 50);
    const roi = decodeImageJRoi(encodeImageJRoi({ x, y }, 'nucleus 12'), 'other.roi');
    expect(roi).toEqual({
      name: 'nucleus 12', version: 228, type: 0, top: 7, left: 100, bottom: 50, right: 140, position: 0,
      x: [...x], y: [...y],
    });
  });

  it('reads a version-217 ROI without header2 (name from the file name)', () => {
    const bytes = Uint8Array.from([
      0x49, 0x6f, 0x75, 0x74, ...i16(217), 8, 0, ...i16(10), ...i16(20), ...i16(12), ...i16(23), ...i16(3),
      ...zeros(64 - 18), ...i16(0), ...i16(3), ...i16(1), ...i16(0), ...i16(0), ...i16(2),
    ]);
    const roi = decodeImageJRoi(bytes, 'cell-3.roi');
    expect(roi).toMatchObject({ name: 'cell-3', version: 217, type: 8, x: [20, 23, 21], y: [10, 10, 12] });
  });

  it('reads sub-pixel float coordinates', () => {
    const f32 = (v: number): number[] => {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setFloat32(0, v);
      return [...b];
    };
    const bytes = Uint8Array.from([
      0x49, 0x6f, 0x75, 0x74, ...i16(228), 0, 0, ...i16(1), ...i16(2), ...i16(4), ...i16(5), ...i16(2),
      ...zeros(50 - 18), ...i16(128), ...zeros(64 - 52),
      ...i16(0), ...i16(3), ...i16(0), ...i16(3), // int16 x, y (ignored when sub-pixel)
      ...f32(2.25), ...f32(5.5), ...f32(1.75), ...f32(4.0),
    ]);
    expect(decodeImageJRoi(bytes)).toMatchObject({ x: [2.25, 5.5], y: [1.75, 4] });
  });

  it('rejects what it cannot read with a message that says why', () => {
    expect(() => decodeImageJRoi(new TextEncoder().encode('hello'), 'a.roi')).toThrow(/a.roi: not an ImageJ ROI/);
    const good = encodeImageJRoi({ x: Int32Array.of(0, 5, 5), y: Int32Array.of(0, 0, 5) });
    expect(() => decodeImageJRoi(good.subarray(0, 70), 'cut.roi')).toThrow(/cut.roi: truncated: 3 vertices need 76 bytes/);
    const rect = Uint8Array.from(good);
    rect[6] = 1;
    expect(() => decodeImageJRoi(rect)).toThrow(/type 1 has no vertex list/);
    expect(() => encodeImageJRoi({ x: Int32Array.of(0, 40000), y: Int32Array.of(0, 0) })).toThrow(/16-bit/);
  });
});

describe('RoiSet.zip', () => {
  // 7 x 4 labels: object 3 is an L (4 pixels), object 12 a 2 x 2 square.
  const W = 7;
  // prettier-ignore
  const labels = [
    3, 0, 0, 0, 0, 0, 0,
    3, 0, 0, 0, 12, 12, 0,
    3, 3, 0, 0, 12, 12, 0,
    0, 0, 0, 0, 0, 0, 0,
  ];

  it('holds one named polygon per object that round-trips through our reader', () => {
    const zip = roiSetZip(labels, W, 4);
    expect(Object.keys(unzipSync(zip))).toEqual(['0003.roi', '0012.roi']);
    const rois = readRoiSetZip(zip);
    expect(rois.map((r) => r.name)).toEqual(['0003', '0012']);
    expect(rois[0]).toMatchObject({ type: 0, top: 0, left: 0, bottom: 3, right: 2 });
    expect(rois[0].x).toEqual([0, 1, 1, 2, 2, 0]);
    expect(rois[0].y).toEqual([0, 0, 2, 2, 3, 3]);
    expect(rois[1]).toMatchObject({ x: [4, 6, 6, 4], y: [1, 1, 3, 3] });
    const outlines = objectOutlines(labels, W, 4);
    expect(outlines.map((o) => o.id)).toEqual([3, 12]);
  });

  it('says when the archive is not a ZIP', () => {
    expect(() => readRoiSetZip(new Uint8Array([1, 2, 3]))).toThrow(/not a readable ZIP/);
  });
});
