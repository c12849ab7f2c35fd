/**
 * Training tiles that teach: every tile is centred on a labelled pixel and, after augmentation, its
 * *output* window (the pixels the loss sees) must hold labelled pixels. A tile whose elastic deformation
 * or position near the image border leaves its output window without a labelled pixel would be a step
 * with loss exactly 0 and zero gradient (a wasted step, or worse, an Adam step on stale moments); such a
 * draw is redrawn, and after `maxTries` failures the tile is cut without geometric augmentation, which
 * always contains its labelled centre pixel.
 */
import { augmentTile, drawAugmentation } from './augment';
import type { AugmentDraw, AugmentedTile, AugmentOptions } from './augment';
import type { Rng } from './random';
import type { PreparedSample } from './trainingSamples';

/** One sampled tile with what it teaches. */
export interface SampledTile extends AugmentedTile {
  /** Output pixels with weight > 0 (labelled pixels inside the image). */
  readonly labelledPixels: number;
  /** Draws rejected for an empty output window before this one. */
  readonly redraws: number;
  /** True when every draw failed and the tile was cut without geometric augmentation. */
  readonly fallback: boolean;
  readonly sample: string;
}

/** Options of {@link createTileSampler}. */
export interface TileSamplerOptions {
  /** Input tile side (a legal input size). */
  readonly tileSize: number;
  /** Output tile side (the window the loss sees), concentric with the input tile. */
  readonly outputSize: number;
  /** Augmentation; {} = none. */
  readonly augment: AugmentOptions;
  readonly rng: Rng;
  /** Draws per tile before the fallback (default 8). */
  readonly maxTries?: number;
}

/** Draws training tiles from prepared samples. */
export interface TileSampler {
  next(): SampledTile;
}

/** Output pixels that carry weight. */
export function countLabelled(weights: Float32Array): number {
  let n = 0;
  for (let i = 0; i < weights.length; i++) if (weights[i] > 0) n++;
  return n;
}

/**
 * Picks a sample with probability proportional to its labelled pixels, then a labelled pixel in it as
 * the tile centre, augments, and redraws while the output window holds no weighted pixel.
 * @throws Error when no sample has a labelled pixel.
 */
export function createTileSampler(prepared: readonly PreparedSample[], options: TileSamplerOptions): TileSampler {
  const { tileSize, outputSize, augment, rng } = options;
  const maxTries = options.maxTries ?? 8;
  const cumulative = new Float64Array(prepared.length);
  let total = 0;
  prepared.forEach((p, i) => {
    total += p.labelled.length;
    cumulative[i] = total;
  });
  if (total === 0) throw new Error('no labelled pixels in any training sample: paint or load some labels first');

  const pick = (): { sample: PreparedSample; pixel: number } => {
    const r = rng.next() * total;
    let lo = 0;
    let hi = prepared.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > r) hi = mid;
      else lo = mid + 1;
    }
    const sample = prepared[lo];
    return { sample, pixel: sample.labelled[rng.int(sample.labelled.length)] };
  };

  const cut = (sample: PreparedSample, pixel: number, draw: AugmentDraw): AugmentedTile => {
    const px = pixel % sample.width;
    const py = Math.floor(pixel / sample.width);
    // Integer top-left corner keeps every unrotated tile pixel on the source grid.
    const x0 = px - Math.floor(tileSize / 2);
    const y0 = py - Math.floor(tileSize / 2);
    return augmentTile(sample, { centreX: x0 + (tileSize - 1) / 2, centreY: y0 + (tileSize - 1) / 2, inputSize: tileSize, outputSize }, draw);
  };

  return {
    next(): SampledTile {
      let last: { sample: PreparedSample; pixel: number; draw: AugmentDraw } | null = null;
      for (let attempt = 0; attempt < maxTries; attempt++) {
        const { sample, pixel } = pick();
        const draw = drawAugmentation(augment, rng);
        const tile = cut(sample, pixel, draw);
        const labelledPixels = countLabelled(tile.weights);
        if (labelledPixels > 0) return { ...tile, labelledPixels, redraws: attempt, fallback: false, sample: sample.name };
        last = { sample, pixel, draw };
      }
      // The labelled centre pixel lies in the output window of an undeformed, unrotated tile.
      const { sample, pixel, draw } = last as { sample: PreparedSample; pixel: number; draw: AugmentDraw };
      const flat: AugmentDraw = { ...draw, rotation: 0, flip: false, displacement: new Float64Array(0) };
      const tile = cut(sample, pixel, flat);
      return { ...tile, labelledPixels: countLabelled(tile.weights), redraws: maxTries, fallback: true, sample: sample.name };
    },
  };
}
