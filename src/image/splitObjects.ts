import { connectedComponents, type Components } from './components';
import { distanceTransform } from './distanceTransform';
import { fillHoles } from './holes';
import { hMaxima } from './maxima';
import { checkPlane } from './neighbours';
import type { PostProcessing } from './postProcessing';
import { mergeSmallRegions } from './regions';
import { gaussianBlur } from './smooth';
import { watershed } from './watershed';

/**
 * Foreground objects (nuclei): smooth, threshold, fill holes, split touching objects, merge fragments.
 *
 * Splitting is the classic distance-transform watershed: inside the foreground, the Euclidean distance
 * to the background peaks once per round object and dips at the neck where two objects touch. Seeds
 * are the h-maxima of that distance (a peak counts only if it is more than h pixels higher than the neck
 * joining it to a higher peak, so a bumpy outline does not split an object) and the foreground is
 * flooded from them on the negated distance, restricted to the foreground. Fragments smaller than
 * minSize are merged into the neighbour they share most border with; isolated small objects are
 * dropped, as before.
 */

/** The binary foreground after smoothing, threshold and hole filling (what is exported as the mask). */
export function foregroundMask(
  probability: ArrayLike<number>,
  width: number,
  height: number,
  settings: Pick<PostProcessing, 'threshold' | 'smoothing' | 'fillHoles' | 'maxHoleSize' | 'connectivity'>,
): Uint8Array {
  checkPlane('probability', probability.length, width, height);
  const p = settings.smoothing > 0 ? gaussianBlur(probability, width, height, settings.smoothing) : probability;
  const mask = new Uint8Array(p.length);
  for (let i = 0; i < mask.length; i++) mask[i] = p[i] >= settings.threshold ? 1 : 0;
  if (!settings.fillHoles) return mask;
  return fillHoles(mask, width, height, {
    connectivity: settings.connectivity,
    maxHoleSize: settings.maxHoleSize > 0 ? settings.maxHoleSize : Infinity,
  });
}

/**
 * Splits the foreground `mask` into objects by the distance-transform watershed (labels, 0 outside the
 * mask). Every connected piece of the mask gets at least one seed (its highest distance), so no
 * foreground pixel is lost.
 */
export function splitTouching(mask: Uint8Array, width: number, height: number, h: number, connectivity: 4 | 8 = 4): Uint32Array {
  checkPlane('mask', mask.length, width, height);
  const background = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) background[i] = mask[i] ? 0 : 1;
  const distance = distanceTransform(background, width, height);
  const seeds = hMaxima(distance, width, height, h, { mask, connectivity: 8 });
  const relief = new Float32Array(distance.length);
  for (let i = 0; i < relief.length; i++) relief[i] = -distance[i];
  return watershed(relief, seeds.labels, width, height, { mask, connectivity });
}

/** Objects of a foreground probability map under the settings (see the module comment). */
export function foregroundObjects(probability: ArrayLike<number>, width: number, height: number, settings: PostProcessing): Components {
  const mask = foregroundMask(probability, width, height, settings);
  const labels =
    settings.split === 'watershed'
      ? splitTouching(mask, width, height, settings.h, settings.connectivity)
      : connectedComponents(mask, width, height, { connectivity: settings.connectivity }).labels;
  return mergeSmallRegions(labels, width, height, settings.minSize);
}
