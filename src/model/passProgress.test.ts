import { describe, expect, it } from 'vitest';
import { createPassProgress, type TileProgress } from './passProgress';
import { segmentAtObjectScale, type PassPlan } from './objectScale';
import { defaultPostProcessing } from '../image/postProcessing';

/** Feeds tiles 0..n of one pass and returns the reports that went out as [done, total]. */
function feed(progress: ReturnType<typeof createPassProgress>, plan: PassPlan, tiles: number): ([number, number] | null)[] {
  progress.startPass(plan);
  const out: ([number, number] | null)[] = [];
  for (let k = 0; k <= tiles; k++) {
    const r: TileProgress | null = progress.update({ tilesDone: k, tilesTotal: tiles, etaMs: 0 });
    out.push(r && [r.tilesDone, r.tilesTotal]);
  }
  return out;
}

describe('one progress bar over the passes of a segmentation', () => {
  it('relays a single pass as it is', () => {
    const p = createPassProgress();
    expect(feed(p, { pass: 1, scale: 1, expectedPasses: 1 }, 3)).toEqual([[0, 3], [1, 3], [2, 3], [3, 3]]);
  });

  it('counts the expected second pass from the start and adds the passes up (8 tiles, then 2 at scale 0.5)', () => {
    const p = createPassProgress();
    expect(feed(p, { pass: 1, scale: 1, expectedPasses: 2 }, 8).at(-1)).toEqual([8, 16]);
    expect(feed(p, { pass: 2, scale: 0.5, expectedPasses: 2 }, 2)).toEqual([[8, 10], [9, 10], [10, 10]]);
  });

  it('never moves back: a pass larger than expected holds the bar until the run catches up', () => {
    const p = createPassProgress();
    // 4 tiles at scale 1 (half the expected run), then 16 at scale 2: 4 + k of 20 reaches half at k = 6.
    expect(feed(p, { pass: 1, scale: 1, expectedPasses: 2 }, 4).at(-1)).toEqual([4, 8]);
    const second = feed(p, { pass: 2, scale: 2, expectedPasses: 2 }, 16);
    expect(second.slice(0, 6)).toEqual([null, null, null, null, null, null]);
    expect(second.slice(6, 8)).toEqual([[10, 20], [11, 20]]);
    expect(second.at(-1)).toEqual([20, 20]);
  });

  it('over a real run of segmentAtObjectScale: reports rise monotonically to all tiles of all passes', async () => {
    // A map of one disc of diameter 32 px on 120x100: the estimate asks for scale 20/32 = 0.625 (75x63 px).
    const W = 120;
    const H = 100;
    const reports: TileProgress[] = [];
    const progress = createPassProgress();
    const passes: PassPlan[] = [];
    const run = async (plane: unknown, plan?: PassPlan): Promise<Float32Array> => {
      const { width, height } = plane as { width: number; height: number };
      progress.startPass(plan!);
      passes.push(plan!);
      const tiles = Math.ceil(width / 20) * Math.ceil(height / 20);
      for (let k = 0; k <= tiles; k++) {
        const r = progress.update({ tilesDone: k, tilesTotal: tiles, etaMs: 0 });
        if (r) reports.push(r);
      }
      const cx = width / 2;
      const cy = height / 2;
      const r2 = ((16 * width) / W) ** 2;
      return Float32Array.from({ length: width * height }, (_, i) => ((i % width) + 0.5 - cx) ** 2 + (Math.floor(i / width) + 0.5 - cy) ** 2 < r2 ? 1 : 0);
    };
    const result = await segmentAtObjectScale(run, { width: W, height: H, data: new Float32Array(W * H) }, {
      trainingDiameter: 20,
      diameter: 'auto',
      postProcessing: defaultPostProcessing('foreground'),
    });
    expect(result.passes).toBe(2);
    expect(passes.map((p) => [p.pass, p.expectedPasses])).toEqual([[1, 2], [2, 2]]);
    expect(passes[1].scale).toBeCloseTo(0.625, 2);
    const fractions = reports.map((r) => r.tilesDone / r.tilesTotal);
    for (let k = 1; k < fractions.length; k++) expect(fractions[k]).toBeGreaterThanOrEqual(fractions[k - 1]);
    // 6x5 tiles of 20 px at scale 1, 4x4 at 75x63.
    expect(reports.at(-1)).toMatchObject({ tilesDone: 46, tilesTotal: 46 });
  });
});
