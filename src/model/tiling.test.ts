import { describe, expect, it } from 'vitest';
import type { UnetConfig } from './types';
import { legalTileOutputAtLeast, legalTileOutputAtMost, minTileOutput, planShape, planTiles } from './tiling';
import { contextMargin, inputSizeForOutput, isLegalInputSize, outputCrop, sizeStep } from './validSize';

const cfg = (depth: number, padding: 'valid' | 'same' = 'valid'): UnetConfig => ({
  depth,
  baseFilters: 2,
  inChannels: 1,
  classes: 2,
  dropout: 0,
  padding,
});

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('overlap-tile plan', () => {
  const random = rng(7);
  const cases: [number, number, number][] = [
    [1, 37, 60],
    [37, 1, 60],
    [1, 1, 60],
    [97, 203, 60],
    [5, 9, 400],
    [300, 290, 44],
  ];
  for (let i = 0; i < 30; i++) cases.push([1 + Math.floor(random() * 400), 1 + Math.floor(random() * 400), 20 + Math.floor(random() * 300)]);

  for (const padding of ['valid', 'same'] as const) {
    for (const depth of [1, 2, 3, 4]) {
      it(`covers every pixel exactly once on the pooling grid (depth ${depth}, ${padding})`, () => {
        const c = cfg(depth, padding);
        const p = sizeStep(c);
        for (const [h, w, t] of cases) {
          const requested = Math.max(t, legalTileOutputAtLeast(c, p));
          const plan = planTiles(c, h, w, requested);
          const count = new Uint8Array(h * w);
          expect(isLegalInputSize(c, plan.inputHeight)).toBe(true);
          expect(isLegalInputSize(c, plan.inputWidth)).toBe(true);
          expect(plan.inputHeight).toBe(inputSizeForOutput(c, plan.outputHeight));
          expect(plan.outputHeight).toBeLessThanOrEqual(Math.max(requested, minTileOutput(c)));
          expect(plan.tiles.length).toBe(plan.rows * plan.cols);
          for (const tile of plan.tiles) {
            // Written region lies inside the tile's exact output...
            expect(tile.srcY - outputCrop(c) + tile.outH).toBeLessThanOrEqual(plan.outputHeight);
            expect(tile.srcX - outputCrop(c) + tile.outW).toBeLessThanOrEqual(plan.outputWidth);
            expect(tile.outH).toBeGreaterThan(0);
            expect(tile.outW).toBeGreaterThan(0);
            // ...and the input window starts margin px before it, on the 2^depth grid of the whole pass.
            expect(tile.outY - tile.inY).toBe(contextMargin(c));
            expect((tile.inY + contextMargin(c)) % p).toBe(0);
            expect((tile.inX + contextMargin(c)) % p).toBe(0);
            for (let y = tile.outY; y < tile.outY + tile.outH; y++) {
              for (let x = tile.outX; x < tile.outX + tile.outW; x++) count[y * w + x]++;
            }
          }
          expect(count.every((v) => v === 1)).toBe(true);
          expect(plan.waste).toBeGreaterThanOrEqual(1);
        }
      });
    }
  }

  it('uses one tile for images smaller than a tile, of the smallest covering size', () => {
    const c = cfg(4);
    const plan = planTiles(c, 5, 9, 388);
    expect(plan.tiles.length).toBe(1);
    expect(plan.outputHeight).toBe(legalTileOutputAtLeast(c, 5));
    expect(plan.inputHeight).toBe(plan.outputHeight + 2 * 92);
  });

  it('shrinks the tile when the same number of tiles can be smaller', () => {
    const c = cfg(4);
    // 400 px with a 388 px tile needs 2 tiles; 2 tiles of 212 px (stride 208) suffice.
    const plan = planTiles(c, 400, 400, 388);
    expect(plan.rows).toBe(2);
    expect(plan.strideY).toBe(208);
    expect(plan.outputHeight).toBe(212);
  });

  it('rounds requested tile outputs to legal ones and rejects impossible ones', () => {
    const c = cfg(4);
    expect(legalTileOutputAtMost(c, 400)).toBe(388);
    expect(legalTileOutputAtLeast(c, 389)).toBe(404);
    expect(planShape(c, 1000, 1000, 400).outputHeight).toBeLessThanOrEqual(388);
    expect(() => planTiles(c, 100, 100, 3)).toThrow(/below the smallest/);
    expect(() => planTiles(c, 100, 100, 4)).toThrow(/pooling grid/);
    expect(() => planTiles(c, 0, 100, 388)).toThrow(/height/);
  });
});
