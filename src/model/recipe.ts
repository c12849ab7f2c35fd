/**
 * How a model was trained, and how it should be fine-tuned: stored in the model card (`card.recipe`) so
 * that a fine-tune in the app or with `npm run train -- --init MODEL` uses the loss, normalisation and
 * augmentation the model was trained with, never a silently different one.
 */
import type { AugmentOptions } from './augment';
import type { LearningRateSchedule } from './train';
import type { ObjectClass } from './trainingSamples';

/** The loss the model was trained with (w(x) = w_c(x) + w0 exp(-(d1+d2)^2 / 2 sigma^2)). */
export interface LossRecipe {
  readonly w0: number;
  readonly sigma: number;
  readonly balanceClasses: boolean;
  /** Which partial-label class forms the objects of the border term (nuclei 2, membranes 1). */
  readonly objectClass: ObjectClass;
}

/** Defaults of a fine-tune (the app's "Train on painted labels" and `train --init`), chosen by bench/finetune.ts. */
export interface FineTuneRecipe {
  readonly optimizer: 'adam' | 'sgd';
  readonly learningRate: number;
  readonly schedule: LearningRateSchedule;
  readonly steps: number;
  /**
   * Weight of the distillation term: cross-entropy to the starting model's own predictions on pixels
   * nobody labelled, so sparse corrections do not erase what the model knew elsewhere (0 = off).
   */
  readonly distillation: number;
  /** Learning-rate multiplier of the contracting path (encoder); 1 = same as the rest. */
  readonly encoderLrScale: number;
  /**
   * Pixels within this distance (px) of a painted pixel are left out of the distillation term (absent = 0):
   * the user said the starting model is wrong at the stroke, so its predictions right beside it are suspect
   * too (a missed membrane continues past the painted part), and holding them would fight the stroke.
   */
  readonly distillationMargin?: number;
  /** Share of painted regions (strokes / connected patches) held out for validation. */
  readonly validationFraction: number;
  /** Validate every this many steps (and before the first). */
  readonly validateEvery: number;
  /** Stop after this many validations without improvement (0 = never stop early). */
  readonly patience: number;
}

/** The whole recipe: how the model was trained plus its fine-tuning defaults. */
export interface TrainingRecipe {
  readonly loss: LossRecipe;
  /** Augmentation used in training (false = none). */
  readonly augment: AugmentOptions | false;
  /** Input tile side and batch used in training. */
  readonly tileSize: number;
  readonly batchSize: number;
  readonly optimizer: 'adam' | 'sgd';
  readonly learningRate: number;
  readonly schedule: LearningRateSchedule;
  readonly fineTune: FineTuneRecipe;
}
