import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FloatPlane } from '../image/types';
import { AbortError } from './abort';
import { mirrorPad } from './mirror';
import { isOutOfMemoryError, PartialSegmentationError, segmentPlane } from './segment';
import type { SegmentProgress } from './segment';
import { legalTileOutputAtLeast } from './tiling';
import type { Segmenter, UnetConfig } from './types';
import { createUnet } from './unet';
import { contextMargin, inputSizeForOutput, outputCrop } from './validSize';

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

function randomPlane(height: number, width: number, seed: number): FloatPlane {
  const r = rng(seed);
  return { width, height, data: Float32Array.from({ length: width * height }, () => r() * 2 - 1) };
}

/**
 * The definition of correct: one forward pass over the whole image, mirror-padded by the context margin
 * (and on the bottom/right up to a legal size), cropped back to the image. Uses mirrorPad, which is tested
 * against an independent reference, not the tile extraction under test.
 */
function wholeImagePass(segmenter: Segmenter, plane: FloatPlane, fg = 1): Float32Array {
  const c = segmenter.config;
  const m = contextMargin(c);
  const inH = inputSizeForOutput(c, legalTileOutputAtLeast(c, plane.height));
  const inW = inputSizeForOutput(c, legalTileOutputAtLeast(c, plane.width));
  const padded = mirrorPad(plane, { top: m, left: m, bottom: inH - plane.height - m, right: inW - plane.width - m });
  const crop = outputCrop(c);
  return tf.tidy(() => {
    const probs = segmenter.predictTile(tf.tensor4d(padded.data, [1, inH, inW, 1]));
    return tf.slice(probs, [0, crop, crop, fg], [1, plane.height, plane.width, 1]).dataSync() as Float32Array;
  });
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

function spread(a: Float32Array): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of a) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return hi - lo;
}

const config = (depth: number, padding: 'valid' | 'same' = 'valid'): UnetConfig => ({
  depth,
  baseFilters: 2,
  inChannels: 1,
  classes: 2,
  dropout: 0.3,
  padding,
  seed: 11 + depth,
});

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('seamless overlap-tile segmentation', () => {
  const models: Segmenter[] = [];
  afterAll(() => models.forEach((m) => m.dispose()));

  // [height, width, tile output]: 1 px strips, the 97x203, smaller than the margin, > 3 tiles
  // each way, and random sizes.
  const r = rng(3);
  const sizes: [number, number][] = [
    [1, 37],
    [37, 1],
    [97, 203],
    [7, 5],
    [150, 170],
    [1 + Math.floor(r() * 120), 1 + Math.floor(r() * 120)],
    [1 + Math.floor(r() * 120), 1 + Math.floor(r() * 120)],
  ];

  for (const [depth, padding] of [
    [2, 'valid'],
    [3, 'valid'],
    [2, 'same'],
  ] as const) {
    it(`equals one pass over the whole mirrored image within 1e-5 (depth ${depth}, ${padding})`, async () => {
      const segmenter = createUnet(config(depth, padding));
      models.push(segmenter);
      const p = 2 ** depth;
      // Small tiles so that 150x170 needs more than 3 tiles each way.
      const tileOutput = legalTileOutputAtLeast(segmenter.config, 5 * p);
      // 'same' tiles carry a wider margin (pooling-grid slack) and cost more: a lighter subset there.
      for (const [h, w] of padding === 'same' ? sizes.filter(([h]) => h !== 150) : sizes) {
        const plane = randomPlane(h, w, h * 1000 + w);
        const result = await segmentPlane(segmenter, plane, { tileOutput, batch: 3 });
        const reference = wholeImagePass(segmenter, plane);
        if (h === 150) {
          expect(result.tile.tiles).toBeGreaterThan(16);
          expect(Math.min(result.tile.outputHeight, result.tile.outputWidth)).toBeLessThan(50);
        }
        if (h * w > 50) expect(spread(reference)).toBeGreaterThan(1e-3); // the comparison means something
        expect(maxAbsDiff(result.probabilities, reference)).toBeLessThan(1e-5);
      }
    });
  }

  it('is seamless with the tile and batch chosen from the budget, and reports them', async () => {
    const segmenter = createUnet(config(3));
    models.push(segmenter);
    const plane = randomPlane(97, 203, 5);
    const result = await segmentPlane(segmenter, plane, { budgetBytes: 600_000 });
    expect(result.estimateBytes).toBeLessThanOrEqual(600_000);
    expect(result.budgetBytes).toBe(600_000);
    expect(result.tile.tiles).toBeGreaterThan(1);
    expect(maxAbsDiff(result.probabilities, wholeImagePass(segmenter, plane))).toBeLessThan(1e-5);
  });
});

describe('segmentPlane behaviour', () => {
  let segmenter: Segmenter;
  beforeAll(() => {
    segmenter = createUnet(config(2));
  });
  afterAll(() => segmenter.dispose());

  it('backs off to a smaller tile after an injected allocation failure, with the same output', async () => {
    const plane = randomPlane(60, 70, 9);
    const reference = await segmentPlane(segmenter, plane, { tileOutput: 60 });
    const events: string[] = [];
    let failures = 0;
    const result = await segmentPlane(segmenter, plane, {
      tileOutput: 60,
      forward: (x) => {
        if (x.shape[1] > 60) {
          failures++;
          throw new Error('Failed to allocate buffer: out of memory (injected)');
        }
        return segmenter.predictTile(x);
      },
      onBackoff: (e) => events.push(`${e.fromInput.height}->${e.toInput.height}`),
    });
    expect(failures).toBeGreaterThan(0);
    expect(result.backoffs).toBe(events.length);
    expect(result.backoffs).toBeGreaterThan(0);
    expect(result.tile.inputHeight).toBeLessThan(reference.tile.inputHeight);
    expect(maxAbsDiff(result.probabilities, reference.probabilities)).toBe(0);
  });

  it('rethrows errors that are not about memory, and gives up when the tile cannot shrink', async () => {
    const plane = randomPlane(20, 20, 1);
    const boom = () => {
      throw new Error('shader compilation failed');
    };
    await expect(segmentPlane(segmenter, plane, { forward: boom })).rejects.toThrow(/shader/);
    const oom = () => {
      throw new Error('out of memory');
    };
    await expect(segmentPlane(segmenter, plane, { forward: oom })).rejects.toThrow(/out of memory/);
  });

  it('recognises allocation errors of the backends', () => {
    for (const m of ['Out of memory', 'GPUValidationError: buffer too big', 'Failed to allocate 1GB', 'size exceeds the max', 'OOM when allocating']) {
      expect(isOutOfMemoryError(new Error(m))).toBe(true);
    }
    expect(isOutOfMemoryError(new Error('bad shape'))).toBe(false);
    expect(isOutOfMemoryError('out of memory')).toBe(false);
  });

  it('streams progress per batch and cancels between batches with an AbortError', async () => {
    const plane = randomPlane(80, 80, 2);
    const seen: SegmentProgress[] = [];
    const full = await segmentPlane(segmenter, plane, { tileOutput: 20, batch: 2, onProgress: (p) => seen.push(p) });
    expect(seen.length).toBe(Math.ceil(full.tile.tiles / 2));
    expect(seen.map((p) => p.tilesDone)).toEqual(seen.map((_, i) => Math.min(full.tile.tiles, 2 * (i + 1))));
    expect(seen.at(-1)?.etaMs).toBe(0);
    seen.forEach((p) => expect(p.tilesTotal).toBe(full.tile.tiles));

    const controller = new AbortController();
    let batches = 0;
    const run = segmentPlane(segmenter, plane, {
      tileOutput: 20,
      batch: 2,
      signal: controller.signal,
      onProgress: () => {
        if (++batches === 2) controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(AbortError);
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(batches).toBe(2);
  });

  it('hands back the finished tiles of a cancelled run: exact where done, NaN elsewhere', async () => {
    const plane = randomPlane(80, 80, 5);
    const full = await segmentPlane(segmenter, plane, { tileOutput: 20, batch: 2 });
    expect(full.probabilities.some(Number.isNaN)).toBe(false);
    const controller = new AbortController();
    let batches = 0;
    const error = await segmentPlane(segmenter, plane, {
      tileOutput: 20,
      batch: 2,
      signal: controller.signal,
      onProgress: () => {
        if (++batches === 3) controller.abort();
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartialSegmentationError);
    const partial = error as PartialSegmentationError;
    expect(partial.name).toBe('AbortError');
    expect([partial.tilesDone, partial.tilesTotal]).toEqual([6, full.tile.tiles]);
    expect(partial.result.tile).toEqual(full.tile);
    let done = 0;
    for (let k = 0; k < full.probabilities.length; k++) {
      if (Number.isNaN(partial.result.probabilities[k])) continue;
      done++;
      expect(partial.result.probabilities[k]).toBe(full.probabilities[k]);
    }
    // Six 20x20 output tiles of an 80x80 image: 2400 pixels done, 4000 left as NaN.
    expect(done).toBe(6 * 20 * 20);
  });

  it('cancels with a plain AbortError when no tile has finished', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await segmentPlane(segmenter, randomPlane(40, 40, 6), { tileOutput: 20, signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error).not.toBeInstanceOf(PartialSegmentationError);
  });

  it('rejects bad input clearly', async () => {
    const plane = randomPlane(10, 10, 1);
    await expect(segmentPlane(segmenter, [plane, plane])).rejects.toThrow(/1 channel/);
    await expect(segmentPlane(segmenter, plane, { foregroundClass: 2 })).rejects.toThrow(/foregroundClass/);
    await expect(segmentPlane(segmenter, { width: 3, height: 3, data: new Float32Array(8) })).rejects.toThrow(/3x3/);
  });

  it('leaks no tensors over 20 segmentations (also with TTA and after errors)', async () => {
    const plane = randomPlane(30, 41, 4);
    await segmentPlane(segmenter, plane, { tileOutput: 20 }); // warm-up
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      await segmentPlane(segmenter, plane, { tileOutput: 20 + 4 * (i % 3), batch: 1 + (i % 3), tta: i % 5 === 0 });
    }
    let calls = 0;
    await segmentPlane(segmenter, plane, {
      tileOutput: 40,
      forward: (x) => {
        if (calls++ === 0) throw new Error('out of memory');
        return segmenter.predictTile(x);
      },
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
