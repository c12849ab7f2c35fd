/**
 * Simulated corrections of bench/finetune.ts, per case, on the two correction images, split into training
 * and held-out labels by region exactly as the app splits painted labels (splitRegions).
 */
import { splitRegions } from '../src/image/regionSplit';
import { labelledFraction, scribbleCorrections, squareCorrections } from '../src/image/simulatedCorrections';
import { createRng } from '../src/model/random';
import type { BenchImage, CaseName } from './finetuneCases';

/**
 * squares: dense patches around errors; scribbles: strokes along the largest errors; scribbles-far: the
 * same strokes on the errors more than {@link FAR_FROM_EDGE} px from the true edge (what a user sees at
 * normal zoom: on EM the rest is mostly edge placement, README "Fine-tuning").
 */
export type CorrectionKind = 'squares' | 'scribbles' | 'scribbles-far';

/** Correction kinds in the order the benchmark runs them. */
export const correctionKinds: readonly CorrectionKind[] = ['squares', 'scribbles', 'scribbles-far'];

/** Errors within this many px of the true edge are not painted by `scribbles-far`. */
export const FAR_FROM_EDGE = 2;

/**
 * Squares per image: 6 of 52 px on a 360x360 nuclei image (12.5%), 6 of 76 px on a 512x512 EM slice
 * (13.2%) and of 152 px on the 1024x1024 timing mosaic (13.2%). Scribbles: 3 px wide strokes on the 30 largest
 * error regions of >= 10 px, <= 15% of the image (scribbles-far: of the errors over 2 px from the true edge).
 * Six squares rather than two big ones so that the region split has whole squares (EM: whole cells and
 * membrane networks) to hold out.
 */
const SQUARES: Record<CaseName, { count: number; side: number }> = {
  nuclei: { count: 6, side: 52 },
  em: { count: 6, side: 76 },
  em1024: { count: 6, side: 152 },
};

/** The corrections of one image, split for training and validation. */
export interface ImageCorrections {
  readonly name: string;
  readonly train: Uint8Array;
  readonly validation: Uint8Array;
  /** Share of the image painted (train + validation). */
  readonly fraction: number;
  readonly regions: number;
  readonly heldOutRegions: number;
}

/**
 * Corrections of one image. Squares are centred on pixels the starting model gets wrong (its
 * `startProbabilities` thresholded at `threshold`), drawn by a generator seeded from `seed` and the image's index:
 * a user labels patches where the model is wrong (uniformly placed squares would be mostly background on
 * the sparse nuclei images). Scribbles follow the largest connected errors. `threshold` is that of the
 * objects the user sees (0.5 for plain objects): a boundary-class map reads 0.5 on every rim, which its
 * card's objects (threshold 0.3) include, so at 0.5 every rim would count as an error no user would paint.
 */
export function correctionsFor(
  kind: CorrectionKind,
  caseName: CaseName,
  image: BenchImage,
  index: number,
  startProbabilities: Float32Array,
  seed: number,
  validationFraction: number,
  threshold = 0.5,
): ImageCorrections {
  const { width, height, truth } = image;
  const predicted = new Uint8Array(truth.length);
  for (let i = 0; i < predicted.length; i++) predicted[i] = startProbabilities[i] >= threshold ? 1 : 0;
  let painted: Uint8Array;
  if (kind === 'squares') {
    const rng = createRng(seed * 1000 + index);
    const wrong: number[] = [];
    for (let i = 0; i < truth.length; i++) if ((predicted[i] === 1) !== (truth[i] === 2)) wrong.push(i);
    painted = squareCorrections(truth, width, height, { ...SQUARES[caseName], random: rng.next, centres: wrong });
  } else {
    const edgeTolerance = kind === 'scribbles-far' ? FAR_FROM_EDGE : 0;
    painted = scribbleCorrections(truth, predicted, width, height, { radius: 1, maxStrokes: 30, minRegionSize: 10, edgeTolerance });
  }
  const split = splitRegions(painted, width, height, { fraction: validationFraction, seed });
  return {
    name: image.name,
    train: split.train,
    validation: split.validation,
    fraction: labelledFraction(painted),
    regions: split.regions,
    heldOutRegions: split.heldOutRegions,
  };
}
