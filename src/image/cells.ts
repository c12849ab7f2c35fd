import { connectedComponents, type Components } from './components';
import { hMaxima } from './maxima';
import { checkPlane } from './neighbours';
import type { PostProcessing } from './postProcessing';
import { mergeSmallRegions } from './regions';
import { gaussianBlur } from './smooth';
import { watershed } from './watershed';

/**
 * Cells of a membrane model (EM): the regions the membranes enclose. The connected pieces of the
 * thresholded non-membrane are a poor answer: one faint gap in a membrane joins two cells, and every
 * membrane pixel is left out. Instead the membrane probability, smoothed, is flooded from its h-minima
 * (a basin counts only if it lies more than h below the lowest membrane crossing to a deeper one, so
 * a gap in a membrane that still shows as a faint ridge keeps the cells apart). Every pixel ends up in
 * a cell, membrane pixels in the nearer one along the flood; regions smaller than minSize join the
 * neighbour they share most border with.
 */

/** Cells of a membrane probability map under the settings (`split: 'none'` = the old connected pieces). */
export function enclosedCells(membrane: ArrayLike<number>, width: number, height: number, settings: PostProcessing): Components {
  checkPlane('probability', membrane.length, width, height);
  const p = settings.smoothing > 0 ? gaussianBlur(membrane, width, height, settings.smoothing) : Float32Array.from(membrane);
  if (settings.split === 'none') {
    const inside = new Uint8Array(p.length);
    for (let i = 0; i < p.length; i++) inside[i] = p[i] < settings.threshold ? 1 : 0;
    const pieces = connectedComponents(inside, width, height, { connectivity: settings.connectivity });
    return mergeSmallRegions(pieces.labels, width, height, settings.minSize);
  }
  const depth = new Float32Array(p.length);
  for (let i = 0; i < p.length; i++) depth[i] = -p[i];
  const seeds = hMaxima(depth, width, height, settings.h, { connectivity: 8 });
  const labels = watershed(p, seeds.labels, width, height, { connectivity: settings.connectivity });
  return mergeSmallRegions(labels, width, height, settings.minSize);
}
