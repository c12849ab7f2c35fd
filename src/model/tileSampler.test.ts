import { describe, expect, it } from 'vitest';
import { createRng } from './random';
import { countLabelled, createTileSampler } from './tileSampler';
import { prepareSample } from './trainingSamples';

/** A 64x64 image whose only labels are a 3x3 patch in the top-left corner (both classes). */
function cornerSample() {
  const size = 64;
  const data = new Float32Array(size * size).map((_, i) => (i % 7) / 7);
  const labels = new Uint8Array(size * size);
  for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) labels[y * size + x] = x === 0 ? 2 : 1;
  return prepareSample({ image: { width: size, height: size, data }, labels }, 2, { w0: 0, balanceClasses: false });
}

describe('createTileSampler', () => {
  it('gives every tile labelled output pixels, with rotation and elastic deformation on, near an image corner', () => {
    const prepared = cornerSample();
    // Depth-2 valid U-Net: 44 px input, 4 px output; elastic sigma 10 moves the centre far off the patch.
    const sampler = createTileSampler([prepared], {
      tileSize: 44,
      outputSize: 4,
      augment: { rotate90: true, flip: true, elasticSigma: 10, elasticGrid: 3 },
      rng: createRng(5),
    });
    let redrawn = 0;
    for (let k = 0; k < 300; k++) {
      const tile = sampler.next();
      // The count reported is the count in the tile, and it is never zero.
      let inTile = 0;
      for (let i = 0; i < tile.labels.length; i++) if (tile.labels[i] !== 0) inTile++;
      expect(tile.labelledPixels).toBe(inTile);
      expect(tile.labelledPixels).toBeGreaterThan(0);
      expect(countLabelled(tile.weights)).toBe(tile.labelledPixels);
      if (tile.redraws > 0) redrawn++;
    }
    // The situation the sampler guards against does occur here: many first draws were empty.
    expect(redrawn).toBeGreaterThan(30);
  });

  it('falls back to an undeformed tile, which always holds its labelled centre', () => {
    const prepared = cornerSample();
    const sampler = createTileSampler([prepared], {
      tileSize: 44,
      outputSize: 4,
      augment: { rotate90: true, elasticSigma: 60 },
      rng: createRng(1),
      maxTries: 1,
    });
    const tiles = Array.from({ length: 100 }, () => sampler.next());
    expect(tiles.some((t) => t.fallback)).toBe(true);
    expect(tiles.every((t) => t.labelledPixels > 0)).toBe(true);
  });

  it('refuses samples without labels', () => {
    const prepared = { ...cornerSample(), labelled: new Uint32Array(0) };
    expect(() => createTileSampler([prepared], { tileSize: 44, outputSize: 4, augment: {}, rng: createRng(1) })).toThrow(/no labelled pixels/);
  });
});
