import { describe, expect, it } from 'vitest';
import { defaultPostProcessing } from '../image/postProcessing';
import type { FloatPlane } from '../image/types';
import { segmentAtObjectScale, type PlaneSegmentFn } from './objectScale';

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
});
