import { describe, expect, it } from 'vitest';
import type { UnetConfig } from './types';
import {
  assertConfig,
  contextMargin,
  inputSizeForOutput,
  isLegalInputSize,
  legalInputSizes,
  minInputSize,
  minTileInputSize,
  nearestLegalInputSize,
  outputSize,
  receptiveField,
  sizeStep,
  tileOutputSize,
  traceSizes,
} from './validSize';

const cfg = (depth: number, padding: 'valid' | 'same' = 'valid'): UnetConfig => ({
  depth,
  baseFilters: 4,
  inChannels: 1,
  classes: 2,
  dropout: 0,
  padding,
});

/** Independent reference: follow the layers literally, rejecting odd maps before a pool. */
function referenceOutput(depth: number, padding: 'valid' | 'same', n: number): number | null {
  const t = padding === 'valid' ? 4 : 0;
  let s = n;
  const skips: number[] = [];
  for (let k = 0; k < depth; k++) {
    s -= t;
    if (s < 2 || s % 2) return null;
    skips.push(s);
    s /= 2;
  }
  s -= t;
  if (s < 1) return null;
  for (let k = depth - 1; k >= 0; k--) {
    s = 2 * s;
    if (skips[k] < s || (skips[k] - s) % 2) return null;
    s -= t;
    if (s < 1) return null;
  }
  return s;
}

describe('valid-size arithmetic', () => {
  it('reproduces the paper: 572 -> 388, margin 92, receptive field 185 at depth 4', () => {
    expect(outputSize(cfg(4), 572)).toBe(388);
    expect(contextMargin(cfg(4))).toBe(92);
    expect(receptiveField(cfg(4))).toBe(185);
    expect(traceSizes(cfg(4), 572)?.skipCrop).toEqual([88, 40, 16, 4]);
  });

  for (const padding of ['valid', 'same'] as const) {
    for (const depth of [1, 2, 3, 4, 5]) {
      it(`agrees with the layer-by-layer reference for every size up to 1200 (depth ${depth}, ${padding})`, () => {
        const c = cfg(depth, padding);
        const legal: number[] = [];
        for (let n = 1; n <= 1200; n++) {
          const ref = referenceOutput(depth, padding, n);
          expect(isLegalInputSize(c, n)).toBe(ref !== null);
          if (ref !== null) {
            legal.push(n);
            expect(outputSize(c, n)).toBe(ref);
            if (padding === 'valid') expect((n - ref) / 2).toBe(contextMargin(c));
          } else {
            expect(() => outputSize(c, n)).toThrow(/not legal/);
          }
        }
        // Legal sizes are exactly min + k * 2^depth.
        expect(legal[0]).toBe(minInputSize(c));
        legal.forEach((n, i) => expect(n).toBe(minInputSize(c) + i * sizeStep(c)));
        expect(legalInputSizes(c, 1200)).toEqual(legal);
      });

      it(`nearest legal sizes bracket every n and are legal (depth ${depth}, ${padding})`, () => {
        const c = cfg(depth, padding);
        for (let n = 1; n <= 700; n++) {
          const up = nearestLegalInputSize(c, n, 'up');
          const down = nearestLegalInputSize(c, n, 'down');
          expect(isLegalInputSize(c, up)).toBe(true);
          expect(up).toBeGreaterThanOrEqual(n);
          expect(up - n).toBeLessThan(Math.max(sizeStep(c), minInputSize(c)));
          if (down === null) {
            expect(n).toBeLessThan(minInputSize(c));
          } else {
            expect(isLegalInputSize(c, down)).toBe(true);
            expect(down).toBeLessThanOrEqual(n);
            expect(n - down).toBeLessThan(sizeStep(c));
          }
          for (let m = n; m < up; m++) expect(isLegalInputSize(c, m)).toBe(false);
        }
      });

      it(`tile input/output sizes round-trip (depth ${depth}, ${padding})`, () => {
        const c = cfg(depth, padding);
        for (const n of legalInputSizes(c, 900, minTileInputSize(c))) {
          const out = tileOutputSize(c, n);
          expect(out).toBeGreaterThan(0);
          expect(inputSizeForOutput(c, out)).toBe(n);
          // 'valid' tiles use the whole network output; 'same' tiles drop the margin from it.
          expect(out).toBe(padding === 'valid' ? outputSize(c, n) : n - 2 * contextMargin(c));
        }
      });
    }
  }

  it("keeps the 'same' margin a multiple of 2^depth and at least the valid margin", () => {
    for (const depth of [1, 2, 3, 4, 5]) {
      const m = contextMargin(cfg(depth, 'same'));
      expect(m % 2 ** depth).toBe(0);
      expect(m).toBeGreaterThanOrEqual(contextMargin(cfg(depth)));
    }
  });

  it('rejects bad tile outputs and configs with clear messages', () => {
    expect(() => inputSizeForOutput(cfg(4), 389)).toThrow(/not producible/);
    expect(() => assertConfig({ ...cfg(4), depth: 0 })).toThrow(/depth/);
    expect(() => assertConfig({ ...cfg(4), classes: 1 })).toThrow(/classes/);
    expect(() => assertConfig({ ...cfg(4), dropout: 1 })).toThrow(/dropout/);
    expect(() => assertConfig(cfg(4))).not.toThrow();
  });
});
