/**
 * Partial labels (0 unlabelled, 1 background, 2 foreground) from an instance image. Here, below the
 * model layer, because both the trainer (src/model/trainingSamples.ts re-exports it) and the scoring of
 * ground truth (evaluation.ts, run by `npm run evaluate` and in the app) read instance labels this way.
 */

/**
 * Partial labels from an instance image (0 = background). Pixels of an instance that touch a different
 * instance (8-neighbourhood) become background: touching nuclei are then separated by a gap that the
 * border-weighted loss teaches and connected components can split, as the paper does for cells.
 * seamWidth 1: only the higher id yields its rim (a 1-px seam); 2: both touching instances yield theirs,
 * a clearer separation for the network to reproduce at the cost of a pixel of area at each contact.
 */
export function partialFromInstances(instances: ArrayLike<number>, width: number, height: number, seamWidth: 1 | 2 = 1): Uint8Array {
  if (instances.length !== width * height) {
    throw new RangeError(`instance image has ${instances.length} pixels, expected ${width}x${height}`);
  }
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const id = instances[i];
      if (id === 0) {
        out[i] = 1;
        continue;
      }
      let touches = false;
      for (let dy = -1; dy <= 1 && !touches; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= width) continue;
          const other = instances[yy * width + xx];
          if (other !== 0 && other !== id && (seamWidth === 2 || other < id)) {
            touches = true;
            break;
          }
        }
      }
      out[i] = touches ? 1 : 2;
    }
  }
  return out;
}
