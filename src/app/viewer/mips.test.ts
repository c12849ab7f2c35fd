import { describe, expect, it } from 'vitest';
import { createMipCache, frameBudget, levelRect, levelSize, mipLevel, type MipCanvas, type MipContext, type MipSource } from './mips';

/**
 * A canvas of one number per pixel whose drawImage at half scale takes 2x2 means: what bilinear sampling
 * at exactly half scale computes, so the cache's bookkeeping is checked against values, not calls.
 */
class GridCanvas implements MipCanvas {
  readonly data: Float64Array;
  draws = 0;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Float64Array(width * height);
  }
  getContext(): MipContext {
    return {
      imageSmoothingEnabled: true,
      imageSmoothingQuality: 'low',
      clearRect: (x, y, w, h) => {
        for (let j = y; j < y + h; j++) this.data.fill(0, j * this.width + x, j * this.width + x + w);
      },
      drawImage: (image, sx, sy, sw, sh, dx, dy, dw, dh) => {
        const src = image as unknown as GridCanvas;
        expect([dw, dh]).toEqual([sw / 2, sh / 2]);
        this.draws++;
        for (let j = 0; j < dh; j++) {
          for (let i = 0; i < dw; i++) {
            const at = (x: number, y: number) => src.data[(sy + 2 * j + y) * src.width + sx + 2 * i + x];
            this.data[(dy + j) * this.width + dx + i] = (at(0, 0) + at(1, 0) + at(0, 1) + at(1, 1)) / 4;
          }
        }
      },
    };
  }
}

const asSource = (c: GridCanvas) => c as unknown as MipSource;
const grid = (image: unknown) => image as GridCanvas;

function ramp(width: number, height: number): GridCanvas {
  const c = new GridCanvas(width, height);
  for (let i = 0; i < c.data.length; i++) c.data[i] = (i * 37) % 101;
  return c;
}

function cache(made: GridCanvas[] = []) {
  return createMipCache((w, h) => {
    const c = new GridCanvas(w, h);
    made.push(c);
    return c;
  });
}

describe('mip levels of the viewer layers', () => {
  it('picks the coarsest level whose remaining scale stays in (0.5, 1], none when not shrinking', () => {
    expect(mipLevel(1, 2048, 2048)).toBe(0);
    expect(mipLevel(3, 2048, 2048)).toBe(0);
    expect(mipLevel(0.6, 2048, 2048)).toBe(0);
    expect(mipLevel(0.5, 2048, 2048)).toBe(1);
    expect(mipLevel(0.3, 2048, 2048)).toBe(1);
    expect(mipLevel(0.25, 2048, 2048)).toBe(2);
    for (let scale = 0.013; scale < 1; scale += 0.0173) {
      const remaining = scale * 2 ** mipLevel(scale, 4096, 4096);
      expect(remaining).toBeGreaterThan(0.5);
      expect(remaining).toBeLessThanOrEqual(1);
    }
    // Never smaller than one pixel: a 64 px wide layer stops at level 6.
    expect(mipLevel(0.001, 64, 4096)).toBe(6);
  });

  it('sizes levels by halving and rounding up, and maps a changed rectangle onto every pixel it touches', () => {
    expect([1, 2, 3].map((l) => levelSize(5, l))).toEqual([3, 2, 1]);
    expect(levelSize(2048, 3)).toBe(256);
    expect(levelRect({ x: 3, y: 5, width: 2, height: 1 }, 1, 8, 8)).toEqual({ x: 1, y: 2, width: 2, height: 1 });
    expect(levelRect({ x: 3, y: 5, width: 2, height: 1 }, 2, 8, 8)).toEqual({ x: 0, y: 1, width: 2, height: 1 });
    expect(levelRect({ x: 6, y: 6, width: 9, height: 9 }, 1, 8, 8)).toEqual({ x: 3, y: 3, width: 1, height: 1 });
  });

  it('builds a level once as 2x2 means of the level below and draws it at its scale', () => {
    const source = ramp(8, 8);
    const made: GridCanvas[] = [];
    const mips = cache(made);
    const first = mips.pick(asSource(source), 2, frameBudget());
    expect(first.scale).toBe(4);
    const level2 = grid(first.image);
    expect([level2.width, level2.height]).toEqual([2, 2]);
    // Level 2 of a box pyramid is the mean of each 4x4 block.
    for (const [bx, by] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
      let sum = 0;
      for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) sum += source.data[(by * 4 + y) * 8 + bx * 4 + x];
      expect(level2.data[by * 2 + bx]).toBeCloseTo(sum / 16, 10);
    }
    const again = mips.pick(asSource(source), 2, frameBudget());
    expect(again.image).toBe(first.image);
    expect(made).toHaveLength(2);
    expect(made.map((c) => c.draws)).toEqual([1, 1]);
    // A coarser level wanted later reuses the finer ones; level 0 is the layer itself.
    expect(mips.pick(asSource(source), 0, frameBudget())).toEqual({ image: source, scale: 1 });
  });

  it('builds within the frame budget: a layer past it is drawn from its finest level so far and says so', () => {
    const a = ramp(8, 8);
    const b = ramp(8, 8);
    const mips = cache();
    const budget = frameBudget(64);
    expect(mips.pick(asSource(a), 1, budget).scale).toBe(2);
    expect(budget.deferred).toBe(false);
    expect(mips.pick(asSource(b), 1, budget)).toEqual({ image: b, scale: 1 });
    expect(budget.deferred).toBe(true);
    const next = frameBudget(64);
    expect(mips.pick(asSource(b), 1, next).scale).toBe(2);
    expect(next.deferred).toBe(false);
    // Level 2 after level 1 took the budget: drawn from level 1 this frame.
    const c = ramp(8, 8);
    const tight = frameBudget(64);
    expect(mips.pick(asSource(c), 2, tight).scale).toBe(2);
    expect(tight.deferred).toBe(true);
  });

  it('builds a big level in bands of rows over several frames, drawing the finer level until it is whole', () => {
    const source = ramp(8, 8);
    const mips = cache();
    // 32 pixels read per frame: two of level 1's four rows.
    const first = frameBudget(32);
    expect(mips.pick(asSource(source), 1, first)).toEqual({ image: source, scale: 1 });
    expect(first.deferred).toBe(true);
    const second = frameBudget(32);
    const built = mips.pick(asSource(source), 1, second);
    expect(built.scale).toBe(2);
    expect(second.deferred).toBe(false);
    expect(Array.from(grid(built.image).data)).toEqual(Array.from(grid(cache().pick(asSource(source), 1, frameBudget()).image).data));
  });

  it('a redrawn rectangle of a layer (painted labels) refreshes its built levels there, equal to building them anew', () => {
    const labels = ramp(16, 12);
    const mips = cache();
    mips.pick(asSource(labels), 2, frameBudget());
    for (let y = 5; y < 8; y++) for (let x = 9; x < 12; x++) labels.data[y * 16 + x] = 1000 + x * y;
    mips.invalidate(asSource(labels), { x: 9, y: 5, width: 3, height: 3 });
    const refreshed = grid(mips.pick(asSource(labels), 2, frameBudget(0)).image);
    const fresh = grid(cache().pick(asSource(labels), 2, frameBudget()).image);
    expect(Array.from(refreshed.data)).toEqual(Array.from(fresh.data));
    expect(refreshed.data.some((v) => v > 100)).toBe(true);
  });
});
