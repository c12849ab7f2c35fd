import { describe, expect, it } from 'vitest';
import { resizeLabels } from './resampleLabels';

const u8 = (...v: number[]): Uint8Array => Uint8Array.from(v);

describe('resizeLabels', () => {
  it('shrinks 2x by majority of each 2x2 footprint; an all-unlabelled footprint stays unlabelled', () => {
    // prettier-ignore
    const labels = u8(
      0, 0, 1, 1,
      0, 2, 1, 0,
      2, 2, 0, 0,
      2, 0, 0, 0,
    );
    expect(Array.from(resizeLabels(labels, 4, 4, 2, 2))).toEqual([0, 1, 2, 0]);
  });

  it('breaks a tie with unlabelled towards the label, and a tie between labels towards the smaller code', () => {
    // Footprints: {1,1,0,0} -> 1, {2,2,1,1} -> 1, {0,0,2,2} -> 2.
    // prettier-ignore
    const labels = u8(
      1, 0, 2, 1, 0, 2,
      1, 0, 2, 1, 0, 2,
    );
    expect(Array.from(resizeLabels(labels, 6, 2, 3, 1))).toEqual([1, 1, 2]);
  });

  it('weighs partly covered pixels by their coverage at a non-integer ratio (3 -> 2 px)', () => {
    // Output 0 covers source 0 fully and half of 1 (weights 2/3, 1/3); output 1 half of 1 and all of 2.
    expect(Array.from(resizeLabels(u8(1, 2, 0), 3, 1, 2, 1))).toEqual([1, 0]);
    expect(Array.from(resizeLabels(u8(2, 2, 1), 3, 1, 2, 1))).toEqual([2, 1]);
  });

  it('grows by nearest neighbour at pixel centres (3 -> 5 px, 2 -> 4 rows)', () => {
    // Centres (o + 0.5) * 3/5 = 0.3, 0.9, 1.5, 2.1, 2.7 fall in source pixels 0, 0, 1, 2, 2.
    expect(Array.from(resizeLabels(u8(3, 1, 2), 3, 1, 5, 1))).toEqual([3, 3, 1, 2, 2]);
    expect(Array.from(resizeLabels(u8(1, 2), 1, 2, 1, 4))).toEqual([1, 1, 2, 2]);
  });

  it('never invents a code and keeps the array type (16-bit instance ids)', () => {
    const ids = new Uint16Array(40 * 30);
    for (let i = 0; i < ids.length; i++) ids[i] = (i * 7919) % 5 === 0 ? 0 : 1000 + ((i * 31) % 3);
    for (const [w, h] of [[17, 13], [55, 41]] as const) {
      const out = resizeLabels(ids, 40, 30, w, h);
      expect(out).toBeInstanceOf(Uint16Array);
      expect(out.length).toBe(w * h);
      expect([...new Set(out)].sort()).toEqual([0, 1000, 1001, 1002]);
    }
  });

  it('is an exact copy at the same size and refuses bad sizes', () => {
    const labels = u8(0, 1, 2, 0, 2, 1);
    const same = resizeLabels(labels, 3, 2, 3, 2);
    expect(same).not.toBe(labels);
    expect(Array.from(same)).toEqual(Array.from(labels));
    expect(() => resizeLabels(labels, 3, 2, 0, 2)).toThrow('toWidth must be a positive integer');
    expect(() => resizeLabels(labels, 2, 2, 1, 1)).toThrow('labels hold 6 values, expected 2x2');
  });
});
