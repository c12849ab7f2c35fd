import { describe, expect, it } from 'vitest';
import { defaultPostProcessing } from '../image/postProcessing';
import { resizePlane } from '../image/resample';
import type { FloatPlane } from '../image/types';
import { fusionScale, segmentAtObjectScale, type PassPlan, type PlaneSegmentFn } from './objectScale';

/** Bright discs of radius r (1 inside, 0 outside) spaced 3r apart on a cols x rows grid. */
function discPlane(radius: number, cols: number, rows: number, spacing = Math.ceil(3 * radius)): FloatPlane {
  const width = cols * spacing;
  const height = rows * spacing;
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = ((x + 0.5) % spacing) - spacing / 2;
      const dy = ((y + 0.5) % spacing) - spacing / 2;
      data[y * width + x] = dx * dx + dy * dy <= radius * radius ? 1 : 0;
    }
  }
  return { width, height, data };
}

/** A stand-in model: foreground probability = the image, and a log of the sizes it was run at. */
function recordingModel(): { run: PlaneSegmentFn; sizes: string[] } {
  const sizes: string[] = [];
  const run: PlaneSegmentFn = (plane) => {
    const p = Array.isArray(plane) ? plane[0] : (plane as FloatPlane);
    sizes.push(`${p.width}x${p.height}`);
    return Promise.resolve(p.data.slice());
  };
  return { run, sizes };
}

const nuclei = defaultPostProcessing('foreground');

describe('segmentAtObjectScale', () => {
  it('estimates, rescales to the training diameter and maps back to the exact input size', async () => {
    const plane = discPlane(20, 3, 3); // 180x180, discs of diameter 40
    const { run, sizes } = recordingModel();
    const out = await segmentAtObjectScale(run, plane, { trainingDiameter: 16, diameter: 'auto', postProcessing: nuclei, maxScale: 4 });
    expect(out.width).toBe(180);
    expect(out.height).toBe(180);
    expect(out.probabilities.length).toBe(180 * 180);
    expect(out.source).toBe('estimate');
    expect(Math.abs((out.diameter ?? 0) - 40) / 40).toBeLessThan(0.15);
    // First pass at full size, then at ~16/40 of it.
    expect(sizes[0]).toBe('180x180');
    const [w] = sizes[1].split('x').map(Number);
    expect(Math.abs(w / 180 - 16 / 40) / (16 / 40)).toBeLessThan(0.15);
    expect(out.scale).toBeCloseTo(w / 180, 9);
    // Mapped back, the discs are where they were: disc centres high, gaps low.
    expect(out.probabilities[30 * 180 + 30]).toBeGreaterThan(0.9);
    expect(out.probabilities[0]).toBeLessThan(0.1);
  });

  it('gives exactly the unscaled output at the training size, when off, and for an identity scale', async () => {
    const plane = discPlane(8, 4, 3);
    const { run } = recordingModel();
    const plain = await run(plane);
    const auto = await segmentAtObjectScale(run, plane, { trainingDiameter: 16, diameter: 'auto', postProcessing: nuclei });
    expect(auto.scale).toBe(1);
    expect(auto.passes).toBe(1);
    expect(Array.from(auto.probabilities)).toEqual(Array.from(plain));
    const off = await segmentAtObjectScale(run, plane, { trainingDiameter: 40, diameter: 'off', postProcessing: nuclei });
    expect(Array.from(off.probabilities)).toEqual(Array.from(plain));
    expect(off.diameter).toBeUndefined();
    const user = await segmentAtObjectScale(run, plane, { trainingDiameter: 16, diameter: 16, postProcessing: nuclei, tolerance: 0 });
    expect(user.scale).toBe(1);
    expect(Array.from(user.probabilities)).toEqual(Array.from(plain));
  });

  it('lets a user diameter override the estimate', async () => {
    const plane = discPlane(8, 4, 3); // 96x72, diameter 16
    const { run, sizes } = recordingModel();
    const out = await segmentAtObjectScale(run, plane, { trainingDiameter: 16, diameter: 32, postProcessing: nuclei });
    expect(out.source).toBe('user');
    expect(out.diameter).toBe(32);
    expect(sizes).toEqual(['48x36']);
    expect(out.probabilities.length).toBe(96 * 72);
    await expect(segmentAtObjectScale(run, plane, { trainingDiameter: 16, diameter: -3, postProcessing: nuclei })).rejects.toThrow(/positive/);
  });

  it('measures again after a very wrong first scale', async () => {
    // A model that finds only the bright cores of objects far above its training size (the dim rims are
    // missed, so the first estimate is 0.6x too small); once they are small it finds them whole.
    const plane = discPlane(30, 2, 2); // 180x180, diameter 60
    const sizes: string[] = [];
    const run: PlaneSegmentFn = (input) => {
      const p = input as FloatPlane;
      sizes.push(`${p.width}x${p.height}`);
      if (p.width < 180) return Promise.resolve(p.data.slice());
      return Promise.resolve(discPlane(18, 2, 2, 90).data);
    };
    const out = await segmentAtObjectScale(run, plane, { trainingDiameter: 15, diameter: 'auto', maxScale: 4, postProcessing: { ...nuclei, smoothing: 0, fillHoles: false, split: 'none', minSize: 0 } });
    expect(out.passes).toBe(3);
    expect(Math.abs((out.diameter ?? 0) - 60) / 60).toBeLessThan(0.15);
    expect(out.scale).toBeCloseTo(0.25, 1);
    expect(out.probabilities.length).toBe(180 * 180);
    // By default the scale stops at 2x either way.
    const clamped = await segmentAtObjectScale(run, plane, { trainingDiameter: 15, diameter: 'auto', postProcessing: nuclei });
    expect(clamped.scale).toBe(0.5);
  });

  it('averages the clamped map with one at the full scale when objects are beyond the clamp', async () => {
    const plane = discPlane(30, 2, 2); // 180x180, diameter 60: 4x the training 15, clamped to 0.5
    const sizes: string[] = [];
    const plans: PassPlan[] = [];
    // The background depends on the scale the map was made at (0.05 / 0.025), so the average is visible.
    const run: PlaneSegmentFn = (input, plan) => {
      const p = input as FloatPlane;
      sizes.push(`${p.width}x${p.height}`);
      if (plan) plans.push(plan);
      return Promise.resolve(p.data.map((v) => v + (1 - v) * (p.width / 1800)));
    };
    const out = await segmentAtObjectScale(run, plane, { trainingDiameter: 15, diameter: 'auto', postProcessing: nuclei });
    expect(sizes).toEqual(['180x180', '90x90', '45x45']);
    expect(out.scale).toBe(0.5);
    expect(out.fusedScale).toBe(0.25);
    expect(out.passes).toBe(3);
    expect(plans.map((p) => p.pass)).toEqual([1, 2, 3]);
    expect(plans[2]).toEqual({ pass: 3, scale: 0.25, expectedPasses: 3 });
    // Exactly the mean of the two passes mapped back to 180x180.
    const back = (w: number): Float32Array => {
      const small = resizePlane(plane, w, w);
      const map = { width: w, height: w, data: small.data.map((v) => v + (1 - v) * (w / 1800)) };
      return resizePlane(map, 180, 180).data;
    };
    const half = back(90);
    const quarter = back(45);
    expect(out.probabilities.length).toBe(180 * 180);
    for (let i = 0; i < out.probabilities.length; i += 97) expect(out.probabilities[i]).toBeCloseTo(0.5 * (half[i] + quarter[i]), 6);

    // A user diameter beyond the clamp is fused too, and plans both passes from the start.
    plans.length = 0;
    const user = await segmentAtObjectScale(run, plane, { trainingDiameter: 15, diameter: 60, postProcessing: nuclei });
    expect(user.fusedScale).toBe(0.25);
    expect(plans.map((p) => p.expectedPasses)).toEqual([2, 2]);
    expect(Array.from(user.probabilities)).toEqual(Array.from(out.probabilities));

    // Off when fuseMaxScale does not go beyond the clamp: the clamped map alone.
    sizes.length = 0;
    const single = await segmentAtObjectScale(run, plane, { trainingDiameter: 15, diameter: 'auto', postProcessing: nuclei, fuseMaxScale: 2 });
    expect(sizes).toEqual(['180x180', '90x90']);
    expect(single.fusedScale).toBeUndefined();
    for (let i = 0; i < half.length; i += 97) expect(single.probabilities[i]).toBeCloseTo(half[i], 6);
  });

  it('fuses only objects too large for the clamp, never grows an image past it, and stops at fuseMaxScale', () => {
    const rule = { trainingDiameter: 15, diameter: 'auto' as const, postProcessing: nuclei };
    expect(fusionScale(30, rule, 0.5)).toBeUndefined(); // 2x: the clamp reaches it
    expect(fusionScale(33, rule, 0.5)).toBeUndefined(); // within the 15% tolerance of the clamp
    expect(fusionScale(45, rule, 0.5)).toBeCloseTo(1 / 3, 9);
    expect(fusionScale(150, rule, 0.5)).toBe(0.25); // 10x asks for 0.1, fuseMaxScale 4 stops at 0.25
    expect(fusionScale(150, { ...rule, fuseMaxScale: 8 }, 0.5)).toBe(0.125);
    expect(fusionScale(3, rule, 2)).toBeUndefined(); // small objects: no 5x enlargement
    expect(fusionScale(60, { ...rule, maxScale: 4 }, 0.25)).toBeUndefined(); // fuseMaxScale <= maxScale: off
  });
});
