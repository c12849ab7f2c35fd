/**
 * Default recipes, the recipe a model card implies, and the validation of recipes read from JSON.
 * A card without a recipe comes from before recipes existed: such models were trained by the train CLI
 * with its defaults (border-weighted loss w0 = 10, sigma = 5 with class balancing, the paper's
 * augmentation, Adam 1e-3 with a cosine schedule), so that is the recipe assumed for them.
 */
import { defaultAugmentation } from './augment';
import type { AugmentOptions } from './augment';
import type { FineTuneRecipe, LossRecipe, TrainingRecipe } from './recipe';
import type { ModelCard } from './types';

/**
 * Fine-tuning defaults for a card without its own (membranes; nuclei: `defaultFineTuneRecipeFor`): Adam at a
 * small learning rate for few steps, with distillation to the starting model on unlabelled pixels and
 * keep-best validation. bench/finetune.ts measures the shipped models' defaults; these are the starting point.
 */
export const defaultFineTuneRecipe: FineTuneRecipe = {
  optimizer: 'adam',
  learningRate: 1e-4,
  schedule: 'constant',
  steps: 60,
  distillation: 1,
  encoderLrScale: 1,
  validationFraction: 0.2,
  validateEvery: 10,
  patience: 3,
};

/**
 * The fine-tuning defaults of a task, as measured on the shipped cards (README, Benchmarks, *Fine-tuning*).
 * Painted corrections along a model's errors are mostly one class (missed nuclei, missed membrane), and with
 * the card defaults of the time they made the unpainted images worse. Nuclei fine-tune with the encoder at
 * 0.1x the learning rate (every confirming run then improved); membranes with distillation 10, which holds
 * the unpainted pixels (what the user accepted) ten times harder: EM scribbles otherwise thickened every
 * membrane (pixel error +6% to +42%, Rand error of the cells up to 0.35 from 0.05).
 */
export function defaultFineTuneRecipeFor(task: ModelCard['task']): FineTuneRecipe {
  return task === 'nuclei' ? { ...defaultFineTuneRecipe, encoderLrScale: 0.1 } : { ...defaultFineTuneRecipe, distillation: 10 };
}

/** The train CLI's loss for a task: membranes take the cells (1) as objects, nuclei the nuclei (2). */
function defaultLoss(task: ModelCard['task']): LossRecipe {
  return { w0: 10, sigma: 5, balanceClasses: true, objectClass: task === 'membranes' ? 1 : 2 };
}

/** The recipe assumed for a model of `task` whose card has none (the train CLI's defaults). */
export function defaultRecipe(task: ModelCard['task']): TrainingRecipe {
  return {
    loss: defaultLoss(task),
    augment: { ...defaultAugmentation },
    tileSize: 252,
    batchSize: 1,
    optimizer: 'adam',
    learningRate: 1e-3,
    schedule: 'cosine',
    fineTune: defaultFineTuneRecipeFor(task),
  };
}

/** The card's recipe, or the default for its task when it has none. */
export function resolveRecipe(card: Pick<ModelCard, 'task' | 'recipe'>): TrainingRecipe {
  return card.recipe ?? defaultRecipe(card.task);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

type Bad = (field: string, why: string) => never;

function checkNumber(obj: Record<string, unknown>, key: string, path: string, bad: Bad, min: number, max = Infinity, minOpen = false): void {
  const v = obj[key];
  const tooLow = typeof v === 'number' && (minOpen ? v <= min : v < min);
  if (typeof v !== 'number' || !Number.isFinite(v) || tooLow || v > max) {
    bad(`${path}.${key}`, `must be a number ${minOpen ? '>' : '>='} ${min}${Number.isFinite(max) ? ` and <= ${max}` : ''}`);
  }
}

function checkInteger(obj: Record<string, unknown>, key: string, path: string, bad: Bad, min: number): void {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) bad(`${path}.${key}`, `must be an integer >= ${min}`);
}

function checkChoice(obj: Record<string, unknown>, key: string, path: string, bad: Bad, choices: readonly unknown[]): void {
  if (!choices.includes(obj[key])) bad(`${path}.${key}`, `must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`);
}

const SCHEDULES = ['constant', 'cosine', 'step'] as const;
const OPTIMIZERS = ['adam', 'sgd'] as const;

/** Validates a FineTuneRecipe (e.g. `recipe.fineTune` of a card); `path` prefixes the field names. */
export function checkFineTuneRecipe(json: unknown, path: string, bad: Bad): FineTuneRecipe {
  if (!isRecord(json)) return bad(path, 'must be an object');
  checkChoice(json, 'optimizer', path, bad, OPTIMIZERS);
  checkNumber(json, 'learningRate', path, bad, 0, 1, true);
  checkChoice(json, 'schedule', path, bad, SCHEDULES);
  checkInteger(json, 'steps', path, bad, 0);
  checkNumber(json, 'distillation', path, bad, 0);
  checkNumber(json, 'encoderLrScale', path, bad, 0, 1);
  if (json.distillationMargin !== undefined) checkNumber(json, 'distillationMargin', path, bad, 0, 64);
  checkNumber(json, 'validationFraction', path, bad, 0, 0.9);
  checkInteger(json, 'validateEvery', path, bad, 1);
  checkInteger(json, 'patience', path, bad, 0);
  return json as unknown as FineTuneRecipe;
}

function checkAugment(json: unknown, path: string, bad: Bad): AugmentOptions | false {
  if (json === false) return false;
  if (!isRecord(json)) return bad(path, 'must be false or an object');
  for (const key of ['rotate90', 'flip'] as const) {
    if (json[key] !== undefined && typeof json[key] !== 'boolean') bad(`${path}.${key}`, 'must be true or false');
  }
  for (const key of ['elasticSigma', 'gain', 'offset', 'gamma', 'blur', 'noise'] as const) {
    if (json[key] !== undefined) checkNumber(json, key, path, bad, 0);
  }
  if (json.elasticGrid !== undefined) checkInteger(json, 'elasticGrid', path, bad, 2);
  if (json.zoom !== undefined && !(typeof json.zoom === 'number' && (json.zoom === 0 || (json.zoom >= 1 && Number.isFinite(json.zoom))))) {
    bad(`${path}.zoom`, 'must be 0 (off) or a number >= 1 (zoom range [1/zoom, zoom])');
  }
  return json as AugmentOptions;
}

/** Validates a TrainingRecipe read from JSON; errors name the bad field (e.g. `recipe.loss.w0`). */
export function checkTrainingRecipe(json: unknown, path: string, bad: Bad): TrainingRecipe {
  if (!isRecord(json)) return bad(path, 'must be an object');
  const loss = json.loss;
  if (!isRecord(loss)) return bad(`${path}.loss`, 'must be an object');
  checkNumber(loss, 'w0', `${path}.loss`, bad, 0);
  checkNumber(loss, 'sigma', `${path}.loss`, bad, 0, Infinity, true);
  checkChoice(loss, 'balanceClasses', `${path}.loss`, bad, [true, false]);
  checkChoice(loss, 'objectClass', `${path}.loss`, bad, [1, 2]);
  checkAugment(json.augment, `${path}.augment`, bad);
  checkInteger(json, 'tileSize', path, bad, 1);
  checkInteger(json, 'batchSize', path, bad, 1);
  checkChoice(json, 'optimizer', path, bad, OPTIMIZERS);
  checkNumber(json, 'learningRate', path, bad, 0, 1, true);
  checkChoice(json, 'schedule', path, bad, SCHEDULES);
  checkFineTuneRecipe(json.fineTune, `${path}.fineTune`, bad);
  return json as unknown as TrainingRecipe;
}

/**
 * The fine-tuning settings of a run: the recipe's, with single fields overridden. Overrides are checked
 * like a card's fields, so a bad value from a UI or a flag is refused with its name.
 */
export function fineTuneSettings(recipe: TrainingRecipe, overrides: Partial<FineTuneRecipe> = {}): FineTuneRecipe {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return checkFineTuneRecipe({ ...recipe.fineTune, ...defined }, 'fine-tune', (field, why) => {
    throw new RangeError(`${field} ${why}`);
  });
}
