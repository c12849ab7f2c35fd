import { describe, expect, it } from 'vitest';
import { augmentTile, defaultAugmentation, denseDisplacement, drawAugmentation } from './augment';
import type { AugmentDraw, AugmentSource } from './augment';
import { createRng } from './random';

const none: AugmentDraw = { rotation: 0, flip: false, displacement: new Float64Array(0), grid: 3, gain: 1, offset: 0, gamma: 1 };

function source(w: number, h: number): AugmentSource {
  const image = new Float32Array(w * h).map((_, i) => Math.sin(i * 0.37) + (i % w) / w);
  const labels = new Uint8Array(w * h).map((_, i) => (i * 7) % 3);
  const weights = new Float32Array(w * h).map((_, i) => 1 + (i % 5));
  return { width: w, height: h, image, labels, weights };
}

/** A square [x0, x0 + s) x [y0, y0 + s) that is bright in the image and foreground in the labels. */
function squareSource(w: number, h: number, x0: number, y0: number, s: number): AugmentSource {
  const image = new Float32Array(w * h);
  const labels = new Uint8Array(w * h).fill(1);
  for (let y = y0; y < y0 + s; y++) {
    for (let x = x0; x < x0 + s; x++) {
      image[y * w + x] = 1;
      labels[y * w + x] = 2;
    }
  }
  return { width: w, height: h, image, labels, weights: new Float32Array(w * h).fill(1) };
}

describe('augmentTile', () => {
  it('is the identity with zero displacement and no other transform', () => {
    const src = source(16, 16);
    const zero = { ...none, displacement: new Float64Array(18) };
    for (const draw of [none, zero]) {
      const t = augmentTile(src, { centreX: 7.5, centreY: 7.5, inputSize: 16, outputSize: 16 }, draw);
      expect([...t.image]).toEqual([...src.image]);
      expect([...t.labels]).toEqual([...src.labels]);
      expect([...t.weights]).toEqual([...src.weights]);
    }
  });

  it('cuts a concentric output tile from the centre of the input tile', () => {
    const src = source(20, 20);
    const t = augmentTile(src, { centreX: 9.5, centreY: 9.5, inputSize: 12, outputSize: 6 }, none);
    // Input tile starts at 4, output tile at 7.
    for (let v = 0; v < 6; v++) for (let u = 0; u < 6; u++) expect(t.labels[v * 6 + u]).toBe(src.labels[(v + 7) * 20 + u + 7]);
    expect(t.image[0]).toBe(src.image[4 * 20 + 4]);
  });

  it('keeps labels in their class set and moves a labelled square with its image', () => {
    const rng = createRng(11);
    const src = squareSource(64, 64, 24, 20, 12);
    for (let trial = 0; trial < 20; trial++) {
      const draw = drawAugmentation({ ...defaultAugmentation, gain: 0, offset: 0, gamma: 0 }, rng);
      const t = augmentTile(src, { centreX: 31.5, centreY: 31.5, inputSize: 48, outputSize: 48 }, draw);
      let agree = 0;
      let labelled = 0;
      let fg = 0;
      for (let i = 0; i < t.labels.length; i++) {
        expect([0, 1, 2]).toContain(t.labels[i]);
        if (t.labels[i] === 0) continue;
        labelled++;
        if (t.labels[i] === 2) fg++;
        if ((t.labels[i] === 2) === t.image[i] > 0.5) agree++;
      }
      expect(fg).toBeGreaterThan(20);
      // Bilinear vs nearest differ only on the square's rim (~2% of the tile).
      expect(agree / labelled).toBeGreaterThan(0.97);
    }
  });

  it('rotates a quarter turn exactly', () => {
    const src = squareSource(8, 8, 0, 0, 2);
    const t = augmentTile(src, { centreX: 3.5, centreY: 3.5, inputSize: 8, outputSize: 8 }, { ...none, rotation: 1 });
    // The top-left square reappears in another corner, intact.
    const fg = [...t.labels].map((l, i) => (l === 2 ? i : -1)).filter((i) => i >= 0);
    expect(fg.length).toBe(4);
    expect(fg.some((i) => i === 0)).toBe(false);
    for (const i of fg) expect(t.image[i]).toBe(1);
  });

  it('marks source positions outside the image as unlabelled', () => {
    const src = source(10, 10);
    const t = augmentTile(src, { centreX: 0.5, centreY: 0.5, inputSize: 6, outputSize: 6 }, none);
    expect(t.labels[0]).toBe(0);
    expect(t.weights[0]).toBe(0);
    expect(t.weights[35]).toBe(src.weights[3 * 10 + 3]);
  });

  it('carries k teacher values per pixel with their labels, and marks outside positions -1 in all k', () => {
    // Teacher values (label, label + 0.5) per pixel: after a turn and a flip each pair still sits on its label.
    const src = squareSource(8, 8, 0, 0, 3);
    const teacher = new Float32Array(64 * 2);
    for (let i = 0; i < 64; i++) teacher.set([src.labels[i], src.labels[i] + 0.5], 2 * i);
    const turned = augmentTile({ ...src, teacher }, { centreX: 3.5, centreY: 3.5, inputSize: 8, outputSize: 8 }, { ...none, rotation: 3, flip: true });
    expect(turned.teacher!.length).toBe(128);
    for (let i = 0; i < 64; i++) expect([turned.teacher![2 * i], turned.teacher![2 * i + 1]]).toEqual([turned.labels[i], turned.labels[i] + 0.5]);
    const edge = augmentTile({ ...src, teacher }, { centreX: 0.5, centreY: 0.5, inputSize: 4, outputSize: 4 }, none);
    expect([edge.teacher![0], edge.teacher![1]]).toEqual([-1, -1]);
    expect([edge.teacher![2 * 5], edge.teacher![2 * 5 + 1]]).toEqual([2, 2.5]);
    expect(() => augmentTile({ ...src, teacher: new Float32Array(65) }, { centreX: 3.5, centreY: 3.5, inputSize: 8, outputSize: 8 }, none)).toThrow(/x k values/);
  });

  it('applies gain, offset and gamma to the image only', () => {
    const src = source(8, 8);
    const draw = { ...none, gain: 1.5, offset: 0.1, gamma: 2 };
    const t = augmentTile(src, { centreX: 3.5, centreY: 3.5, inputSize: 8, outputSize: 8 }, draw);
    for (let i = 0; i < 64; i++) {
      const x = src.image[i];
      expect(t.image[i]).toBeCloseTo(1.5 * (x > 0 ? x * x : x) + 0.1, 5);
    }
    expect([...t.labels]).toEqual([...src.labels]);
  });

  it('is deterministic under a seed', () => {
    const src = source(32, 32);
    const a = drawAugmentation(defaultAugmentation, createRng(5));
    const b = drawAugmentation(defaultAugmentation, createRng(5));
    const req = { centreX: 15.5, centreY: 15.5, inputSize: 24, outputSize: 16 };
    expect([...augmentTile(src, req, a).image]).toEqual([...augmentTile(src, req, b).image]);
  });
});

describe('denseDisplacement', () => {
  it('passes through the node values and is smooth in between', () => {
    const nodes = new Float64Array(18);
    nodes[2 * 4] = 10; // centre node, x component
    const f = denseDisplacement(nodes, 3, 21);
    expect(f[(10 * 21 + 10) * 2]).toBeCloseTo(10, 6);
    expect(f[0]).toBeCloseTo(0, 6);
    expect(f[(10 * 21 + 20) * 2]).toBeCloseTo(0, 6);
    // Monotone rise from the edge node to the centre node along the middle row.
    for (let x = 1; x <= 10; x++) expect(f[(10 * 21 + x) * 2]).toBeGreaterThan(f[(10 * 21 + x - 1) * 2]);
  });

  it('is the separable Catmull-Rom interpolation of the nodes, linearly extrapolated beyond the grid', () => {
    // A field linear in the node indices is reproduced exactly by Catmull-Rom with linear extrapolation;
    // a quadratic one is not, so evaluate the textbook formula directly for the y components.
    const grid = 4;
    const size = 31;
    const nodes = new Float64Array(2 * grid * grid);
    for (let gy = 0; gy < grid; gy++) {
      for (let gx = 0; gx < grid; gx++) {
        nodes[2 * (gy * grid + gx)] = 3 * gx - 2 * gy + 1;
        nodes[2 * (gy * grid + gx) + 1] = gx * gx + gy * gx;
      }
    }
    const f = denseDisplacement(nodes, grid, size);
    const s = (grid - 1) / (size - 1);
    const ext = (gx: number, gy: number): number => {
      const cx = Math.min(grid - 1, Math.max(0, gx));
      const cy = Math.min(grid - 1, Math.max(0, gy));
      const at = (x: number, y: number): number => nodes[2 * (y * grid + x) + 1];
      // One step beyond an edge: 2 * edge - inner, first along x, then along y.
      const alongX = (y: number): number => (gx === cx ? at(cx, y) : 2 * at(cx, y) - at(cx + (gx < 0 ? 1 : -1), y));
      return gy === cy ? alongX(cy) : 2 * alongX(cy) - alongX(cy + (gy < 0 ? 1 : -1));
    };
    const w = (t: number): number[] => [(-t + 2 * t * t - t ** 3) / 2, (2 - 5 * t * t + 3 * t ** 3) / 2, (t + 4 * t * t - 3 * t ** 3) / 2, (-t * t + t ** 3) / 2];
    for (const [x, y] of [[0, 0], [7, 3], [15, 15], [30, 12], [22, 30], [30, 30]]) {
      expect(f[(y * size + x) * 2]).toBeCloseTo(3 * x * s - 2 * y * s + 1, 4);
      const i = Math.min(grid - 2, Math.floor(x * s));
      const j = Math.min(grid - 2, Math.floor(y * s));
      const [wx, wy] = [w(x * s - i), w(y * s - j)];
      let expected = 0;
      for (let b = 0; b < 4; b++) for (let a = 0; a < 4; a++) expected += wy[b] * wx[a] * ext(i - 1 + a, j - 1 + b);
      expect(f[(y * size + x) * 2 + 1]).toBeCloseTo(expected, 4);
    }
  });
});

describe('zoom (scale augmentation)', () => {
  it('magnifies image, labels and weights alike: a square of side 8 covers side 16 at zoom 2', () => {
    const src = squareSource(64, 64, 28, 28, 8);
    const weights = new Float32Array(64 * 64).fill(1);
    for (let i = 0; i < weights.length; i++) if (src.labels[i] === 2) weights[i] = 5;
    const t = augmentTile({ ...src, weights }, { centreX: 31.5, centreY: 31.5, inputSize: 40, outputSize: 40 }, { ...none, zoom: 2 });
    let fg = 0;
    let bright = 0;
    for (let i = 0; i < t.labels.length; i++) {
      if (t.labels[i] === 2) {
        fg++;
        // Weights and image follow the labels pixel for pixel.
        expect(t.weights[i]).toBe(5);
        expect(t.image[i]).toBeGreaterThan(0.4);
      } else {
        expect(t.weights[i]).toBe(1);
      }
      if (t.image[i] > 0.5) bright++;
    }
    expect(fg).toBe(16 * 16);
    expect(Math.abs(bright - 16 * 16)).toBeLessThanOrEqual(2 * 16);
    // Zoom 0.5 shrinks the same square to side 4.
    const small = augmentTile(src, { centreX: 31.5, centreY: 31.5, inputSize: 40, outputSize: 40 }, { ...none, zoom: 0.5 });
    expect([...small.labels].filter((l) => l === 2).length).toBe(16);
  });

  it('draws zooms log-uniformly in [1/zoom, zoom], and leaves the draws of runs without zoom as they were', () => {
    const zooms: number[] = [];
    const rng = createRng(3);
    for (let k = 0; k < 400; k++) zooms.push(drawAugmentation({ zoom: 2 }, rng).zoom ?? NaN);
    expect(Math.min(...zooms)).toBeGreaterThanOrEqual(0.5);
    expect(Math.max(...zooms)).toBeLessThanOrEqual(2);
    // Log-uniform: about half the draws below 1.
    const below = zooms.filter((z) => z < 1).length;
    expect(below).toBeGreaterThan(160);
    expect(below).toBeLessThan(240);
    const a = drawAugmentation(defaultAugmentation, createRng(9));
    const b = drawAugmentation({ ...defaultAugmentation, zoom: 0 }, createRng(9));
    expect(b).toEqual(a);
    expect(a.zoom).toBeUndefined();
    expect(() => drawAugmentation({ zoom: 0.5 }, createRng(1))).toThrow(/zoom must be 0 \(off\) or >= 1/);
  });
});

describe('blur (defocus augmentation)', () => {
  it('blurs the image only: a bright square spreads, its labels and weights stay sharp', () => {
    const src = squareSource(64, 64, 28, 28, 8);
    const request = { centreX: 31.5, centreY: 31.5, inputSize: 40, outputSize: 40 };
    const sharp = augmentTile(src, request, none);
    const soft = augmentTile(src, request, { ...none, blur: 2 });
    expect([...soft.labels]).toEqual([...sharp.labels]);
    expect([...soft.weights]).toEqual([...sharp.weights]);
    // Tile pixel (u, v) reads source (u + 12, v + 12): the square covers u in [16, 24).
    const at = (t: { image: Float32Array }, u: number, v: number): number => t.image[v * 40 + u];
    expect(at(sharp, 20, 20)).toBe(1);
    expect(at(sharp, 13, 20)).toBe(0);
    // A 1-D Gaussian of σ 2 across an 8-px step: inside the centre stays near 1 (erf(2/√2)² ≈ 0.91),
    // 3 px outside the edge gets Φ(-2.5/2) ≈ 0.106 along x.
    expect(at(soft, 20, 20)).toBeGreaterThan(0.85);
    expect(at(soft, 20, 20)).toBeLessThan(0.95);
    expect(at(soft, 13, 20)).toBeGreaterThan(0.08);
    expect(at(soft, 13, 20)).toBeLessThan(0.13);
    // The blur keeps the total brightness (mirrored borders, normalised kernel; the square is far from them).
    const sum = (a: Float32Array): number => a.reduce((s, x) => s + x, 0);
    expect(sum(soft.image)).toBeCloseTo(sum(sharp.image), 3);
  });

  it('applies the grey change after the blur', () => {
    const src = squareSource(64, 64, 28, 28, 8);
    const request = { centreX: 31.5, centreY: 31.5, inputSize: 40, outputSize: 40 };
    const soft = augmentTile(src, request, { ...none, blur: 2 });
    const both = augmentTile(src, request, { ...none, blur: 2, gain: 1.5, gamma: 2, offset: 0.1 });
    for (const i of [0, 13 + 20 * 40, 20 * 41]) {
      const x = soft.image[i];
      expect(both.image[i]).toBeCloseTo(1.5 * (x > 0 ? x * x : x) + 0.1, 5);
    }
  });

  it('draws σ uniformly in [0, blur] and leaves the draws of runs without blur as they were', () => {
    const rng = createRng(4);
    const sigmas: number[] = [];
    for (let k = 0; k < 400; k++) sigmas.push(drawAugmentation({ blur: 3 }, rng).blur ?? NaN);
    expect(Math.min(...sigmas)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...sigmas)).toBeLessThanOrEqual(3);
    const belowHalf = sigmas.filter((s) => s < 1.5).length;
    expect(belowHalf).toBeGreaterThan(160);
    expect(belowHalf).toBeLessThan(240);
    const a = drawAugmentation({ ...defaultAugmentation, zoom: 2 }, createRng(9));
    const b = drawAugmentation({ ...defaultAugmentation, zoom: 2, blur: 0 }, createRng(9));
    expect(b).toEqual(a);
    expect(a.blur).toBeUndefined();
    expect(() => drawAugmentation({ blur: -1 }, createRng(1))).toThrow(/blur must be >= 0/);
  });
});

describe('noise (camera-noise augmentation)', () => {
  const request = { centreX: 31.5, centreY: 31.5, inputSize: 64, outputSize: 40 };

  it('adds zero-mean noise of the drawn σ to the image only, after the grey change', () => {
    const src = squareSource(64, 64, 28, 28, 8);
    const clean = augmentTile(src, request, { ...none, gain: 2 });
    const noisy = augmentTile(src, request, { ...none, gain: 2, noise: { sigma: 0.1, seed: 17 } });
    expect([...noisy.labels]).toEqual([...clean.labels]);
    expect([...noisy.weights]).toEqual([...clean.weights]);
    const diff = noisy.image.map((x, i) => x - clean.image[i]);
    const mean = diff.reduce((s, x) => s + x, 0) / diff.length;
    const sd = Math.sqrt(diff.reduce((s, x) => s + (x - mean) ** 2, 0) / diff.length);
    // 4,096 samples of N(0, 0.1²): the sample mean is within 4 standard errors (0.0063), the sd within 5%.
    expect(Math.abs(mean)).toBeLessThan(0.0063);
    expect(sd).toBeGreaterThan(0.095);
    expect(sd).toBeLessThan(0.105);
    // Added after the gain: the square's pixels still differ from the background by 2, not by 2 x something.
    const inside = diff.filter((_, i) => clean.image[i] === 2);
    expect(inside.length).toBe(64);
    expect(Math.max(...inside.map(Math.abs))).toBeLessThan(0.5);
  });

  it('depends on the draw alone: the same draw gives the same tile, another seed another one', () => {
    const src = source(64, 64);
    const a = augmentTile(src, request, { ...none, noise: { sigma: 0.05, seed: 3 } });
    const b = augmentTile(src, request, { ...none, noise: { sigma: 0.05, seed: 3 } });
    const c = augmentTile(src, request, { ...none, noise: { sigma: 0.05, seed: 4 } });
    expect([...a.image]).toEqual([...b.image]);
    expect([...a.image]).not.toEqual([...c.image]);
  });

  it('draws σ uniformly in [0, noise] and leaves the draws of runs without noise as they were', () => {
    const rng = createRng(4);
    const sigmas: number[] = [];
    for (let k = 0; k < 400; k++) sigmas.push(drawAugmentation({ noise: 0.2 }, rng).noise?.sigma ?? NaN);
    expect(Math.min(...sigmas)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...sigmas)).toBeLessThanOrEqual(0.2);
    const belowHalf = sigmas.filter((s) => s < 0.1).length;
    expect(belowHalf).toBeGreaterThan(160);
    expect(belowHalf).toBeLessThan(240);
    const a = drawAugmentation({ ...defaultAugmentation, zoom: 2, blur: 2 }, createRng(9));
    const b = drawAugmentation({ ...defaultAugmentation, zoom: 2, blur: 2, noise: 0 }, createRng(9));
    expect(b).toEqual(a);
    expect(a.noise).toBeUndefined();
    expect(() => drawAugmentation({ noise: -0.1 }, createRng(1))).toThrow(/noise must be >= 0/);
  });
});
