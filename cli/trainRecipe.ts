/**
 * The train CLI's recipe logic, kept apart from the file handling so it can be tested: with --init the
 * loss, augmentation and fine-tuning defaults come from the model card's recipe, and only the flags the
 * user gives change them; from scratch they come from the flags and the trainer's defaults. The card a
 * run saves records the recipe it actually used.
 */
import { defaultAugmentation } from '../src/model/augment';
import type { AugmentOptions } from '../src/model/augment';
import type { FineTuneRecipe, LossRecipe, TrainingRecipe } from '../src/model/recipe';
import { defaultFineTuneRecipeFor } from '../src/model/recipeDefaults';
import { choiceFlag, numberFlag, optionalString, UsageError } from './args';
import type { OptionSpec, ParsedFlags } from './args';
import type { Task } from './dataset';

/** Flags of the loss, augmentation and fine-tuning settings (merged into the train CLI's spec). */
export const RECIPE_FLAGS: OptionSpec = {
  w0: { type: 'string' },
  sigma: { type: 'string' },
  balance: { type: 'boolean' },
  'no-balance': { type: 'boolean' },
  'no-augment': { type: 'boolean' },
  'elastic-sigma': { type: 'string' },
  zoom: { type: 'string' },
  blur: { type: 'string' },
  noise: { type: 'string' },
  distill: { type: 'string' },
  'encoder-lr-scale': { type: 'string' },
  'distill-margin': { type: 'string' },
  'val-fraction': { type: 'string' },
  'validate-every': { type: 'string' },
  patience: { type: 'string' },
};

/** The loss: the base recipe's (the card's, with --init) with flag overrides; from scratch the paper's. */
export function lossFromFlags(flags: ParsedFlags, task: Task, base?: LossRecipe): LossRecipe {
  if (flags.balance && flags['no-balance']) throw new UsageError('give either --balance or --no-balance, not both');
  const start: LossRecipe = base ?? { w0: 10, sigma: 5, balanceClasses: true, objectClass: task === 'membranes' ? 1 : 2 };
  return {
    w0: numberFlag(flags, 'w0', start.w0, { min: 0 }),
    sigma: numberFlag(flags, 'sigma', start.sigma, { min: 0.1 }),
    balanceClasses: flags['no-balance'] ? false : flags.balance ? true : start.balanceClasses,
    objectClass: start.objectClass,
  };
}

/** The augmentation: --no-augment, else the base's (or the paper's) with --elastic-sigma, --zoom, --blur and --noise applied. */
export function augmentFromFlags(flags: ParsedFlags, base?: AugmentOptions | false): AugmentOptions | false {
  if (flags['no-augment']) {
    for (const flag of ['elastic-sigma', 'zoom', 'blur', 'noise']) {
      if (optionalString(flags, flag) !== undefined) throw new UsageError(`--${flag} has no effect with --no-augment`);
    }
    return false;
  }
  const start = base === undefined || base === false ? { ...defaultAugmentation } : { ...defaultAugmentation, ...base };
  const elastic = numberFlag(flags, 'elastic-sigma', undefined, { min: 0 });
  const zoom = numberFlag(flags, 'zoom', undefined, { min: 0 });
  if (zoom !== undefined && zoom > 0 && zoom < 1) throw new UsageError(`--zoom must be 0 (off) or >= 1 (range [1/zoom, zoom]), got ${zoom}`);
  const blur = numberFlag(flags, 'blur', undefined, { min: 0 });
  const noise = numberFlag(flags, 'noise', undefined, { min: 0 });
  return {
    ...start,
    ...(elastic !== undefined ? { elasticSigma: elastic } : {}),
    ...(zoom !== undefined ? { zoom } : {}),
    ...(blur !== undefined ? { blur } : {}),
    ...(noise !== undefined ? { noise } : {}),
  };
}

/** Fine-tuning settings given on the command line (the rest come from the recipe). */
export function fineTuneOverrides(flags: ParsedFlags): Partial<FineTuneRecipe> {
  const overrides: Partial<Record<keyof FineTuneRecipe, unknown>> = {
    steps: numberFlag(flags, 'steps', undefined, { integer: true, min: 0 }),
    learningRate: numberFlag(flags, 'lr', undefined, { min: 0 }),
    optimizer: optionalString(flags, 'optimizer') === undefined ? undefined : choiceFlag(flags, 'optimizer', ['adam', 'sgd'] as const),
    schedule: optionalString(flags, 'schedule') === undefined ? undefined : choiceFlag(flags, 'schedule', ['constant', 'cosine', 'step'] as const),
    distillation: numberFlag(flags, 'distill', undefined, { min: 0 }),
    encoderLrScale: numberFlag(flags, 'encoder-lr-scale', undefined, { min: 0, max: 1 }),
    distillationMargin: numberFlag(flags, 'distill-margin', undefined, { min: 0, max: 64 }),
    validationFraction: numberFlag(flags, 'val-fraction', undefined, { min: 0, max: 0.9 }),
    validateEvery: numberFlag(flags, 'validate-every', undefined, { integer: true, min: 1 }),
    patience: numberFlag(flags, 'patience', undefined, { integer: true, min: 0 }),
  };
  return Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<FineTuneRecipe>;
}

/** Flags that only make sense for a fine-tune (refused in dense training, where they would be ignored). */
export const FINE_TUNE_ONLY_FLAGS = ['distill', 'encoder-lr-scale', 'distill-margin', 'val-fraction', 'validate-every', 'patience'] as const;

/** Refuses fine-tune-only flags outside a fine-tune, naming them. */
export function refuseFineTuneFlags(flags: ParsedFlags): void {
  const given = FINE_TUNE_ONLY_FLAGS.filter((f) => flags[f] !== undefined);
  if (given.length > 0) {
    throw new UsageError(
      `${given.map((f) => `--${f}`).join(', ')} ${given.length === 1 ? 'applies' : 'apply'} to fine-tuning only (--init MODEL with --labels-format partial)`,
    );
  }
}

/** What a dense training run used, for the recipe it writes into the card: the recipe but its fine-tune defaults. */
export type DenseRun = Omit<TrainingRecipe, 'fineTune'>;

/** The recipe a dense run saves: its own settings, and the fine-tune defaults of the model it started from (or of its task). */
export function recipeOfDenseRun(run: DenseRun, task: Task, base?: TrainingRecipe): TrainingRecipe {
  return { ...run, fineTune: base?.fineTune ?? defaultFineTuneRecipeFor(task) };
}
