/**
 * The train CLI's fine-tuning mode (--init MODEL --labels-format partial): the same fineTune() the app
 * runs, with the model card's recipe and fine-tuning defaults, the same region split of the painted
 * labels into training and held-out labels, keep-best validation, and the validation scores before
 * and after printed.
 */
import { splitRegions } from '../src/image/regionSplit';
import type { FloatPlane } from '../src/image/types';
import { fineTune } from '../src/model/fineTune';
import type { FineTuneResult, FineTuneSample, ValidationScore } from '../src/model/fineTuneTypes';
import type { FineTuneRecipe, TrainingRecipe } from '../src/model/recipe';
import { fineTuneSettings } from '../src/model/recipeDefaults';
import type { Segmenter } from '../src/model/types';

/** One image with its painted labels (0 unlabelled, 1 background, 2 foreground). */
export interface PaintedImage {
  readonly image: FloatPlane;
  readonly labels: Uint8Array;
  readonly name: string;
}

/** Arguments of {@link runFineTune}. */
export interface FineTuneRun {
  readonly segmenter: Segmenter;
  readonly recipe: TrainingRecipe;
  /** The classes a painted foreground pixel may be (paintedForegroundClasses of the card). */
  readonly foregroundClasses: readonly number[];
  readonly overrides: Partial<FineTuneRecipe>;
  readonly images: readonly PaintedImage[];
  readonly seed: number;
  readonly budgetBytes: number;
  readonly maxTileSize?: number;
  readonly logEvery: number;
  readonly signal?: AbortSignal;
  /** Where progress lines go (stderr in the CLI). */
  readonly log: (line: string) => void;
}

/** "loss 0.123 acc 95.1% fg IoU 0.812 (4321 px)". */
export function formatScore(s: ValidationScore): string {
  return `loss ${s.loss.toFixed(4)} acc ${(100 * s.pixelAccuracy).toFixed(2)}% fg IoU ${s.foregroundIou.toFixed(4)} (${s.pixels} px)`;
}

/**
 * Splits each image's labels by region (the app's split, seeded by `seed`) and fine-tunes. With a
 * validation fraction of 0 everything trains and the final weights are kept unvalidated.
 */
export async function runFineTune(run: FineTuneRun): Promise<FineTuneResult> {
  const settings = fineTuneSettings(run.recipe, run.overrides);
  let regions = 0;
  let heldOut = 0;
  const samples: FineTuneSample[] = run.images.map(({ image, labels, name }) => {
    if (settings.validationFraction === 0) return { image, labels, name };
    const split = splitRegions(labels, image.width, image.height, { fraction: settings.validationFraction, seed: run.seed });
    regions += split.regions;
    heldOut += split.heldOutRegions;
    return { image, labels: split.train, validation: split.validation, name };
  });
  run.log(
    `fine-tune: ${settings.steps} steps ${settings.optimizer} lr ${settings.learningRate} ${settings.schedule}, distillation ${settings.distillation}` +
      `${settings.distillationMargin ? ` (not within ${settings.distillationMargin} px of a stroke)` : ''}, ` +
      `encoder lr x${settings.encoderLrScale}, validate every ${settings.validateEvery} (patience ${settings.patience}); ` +
      `held out ${heldOut} of ${regions} painted regions (fraction ${settings.validationFraction})\n`,
  );
  const started = Date.now();
  const result = await fineTune(run.segmenter, samples, {
    recipe: run.recipe,
    overrides: run.overrides,
    foregroundClasses: run.foregroundClasses,
    budgetBytes: run.budgetBytes,
    maxTileSize: run.maxTileSize,
    seed: run.seed,
    signal: run.signal,
    onProgress: (p) => {
      if (p.step % run.logEvery !== 0 && p.step !== p.steps && p.step !== 1) return;
      // Three significant digits: a well-fitted tile's loss is ~1e-5, which a fixed 4 decimals shows as 0.0000.
      run.log(
        `step ${p.step}/${p.steps} loss ${p.loss.toPrecision(3)} avg ${p.smoothedLoss.toPrecision(3)} labelled ${p.labelledPixels} px ` +
          `lr ${p.learningRate.toExponential(2)} ${p.msPerStep} ms/step eta ${Math.round(p.etaMs / 1000)} s\n`,
      );
    },
    onValidation: (v) => run.log(`validation step ${v.step}: ${formatScore(v)}${v.best ? ' (best)' : ''}\n`),
  });
  run.log(`${result.message} (${((Date.now() - started) / 1000).toFixed(1)} s, tile ${result.tileSize} -> ${result.outputTileSize} px)\n`);
  if (result.before !== null && result.after !== null) {
    run.log(`held-out before: ${formatScore(result.before)}\nheld-out after:  ${formatScore(result.after)}\n`);
  }
  return result;
}
