/**
 * The fine-tuning strategies bench/finetune.ts compares. `legacy` is the app before issue 8 (trainSegmenter
 * with 100 steps of Adam 3e-4, the paper's loss defaults whatever the model was trained with, no held-out
 * labels, the last weights kept). Every other strategy runs fineTune() with the model card's recipe (its
 * loss and augmentation), validation on held-out regions and keep-best, and sets every fine-tuning field
 * explicitly, so a result does not depend on the defaults a card happens to hold.
 *
 * The grid is small on purpose (the machine has 2 shared cores, and every extra strategy scored on the
 * same images adds selection bias): the learning rate, and a 2x2 of the two "keep what was not corrected"
 * ideas of the issue, distillation and a lower encoder learning rate. 60 steps: at the EM model's training
 * tile a step costs ~2-3 s of one core on WASM, so the 5-minute goal leaves room for about that many.
 * Patience is 0 (no early stop) so that every run records its whole validation curve; the chosen
 * default's patience is read off them.
 */
import type { FineTuneRecipe, LossRecipe, TrainingRecipe } from '../src/model/recipe';
import { resolveRecipe } from '../src/model/recipeDefaults';
import type { ModelCard } from '../src/model/types';

export interface Strategy {
  readonly name: string;
  readonly description: string;
  /** Run the pre-issue-8 trainer instead of fineTune(). */
  readonly legacy?: boolean;
  /**
   * All fields of the fine-tune settings (legacy: only optimizer, learningRate and steps are used);
   * undefined = the model card's own `recipe.fineTune` (the app's default).
   */
  readonly settings?: FineTuneRecipe;
  /** Replaces the step count of the settings (--steps, --quick). */
  readonly steps?: number;
  /** Replaces fields of the card's loss (as `train --init --balance` does), e.g. class balancing of the painted pixels. */
  readonly loss?: Partial<LossRecipe>;
}

/** The card's recipe with a strategy's loss fields replaced. */
export function recipeOf(strategy: Strategy, card: ModelCard): TrainingRecipe {
  const recipe = resolveRecipe(card);
  return strategy.loss === undefined ? recipe : { ...recipe, loss: { ...recipe.loss, ...strategy.loss } };
}

/** The settings a strategy runs with on a model with this card. */
export function settingsOf(strategy: Strategy, card: ModelCard): FineTuneRecipe {
  const settings = strategy.settings ?? resolveRecipe(card).fineTune;
  return strategy.steps === undefined ? settings : { ...settings, steps: strategy.steps };
}

const base: FineTuneRecipe = {
  optimizer: 'adam',
  learningRate: 1e-4,
  schedule: 'constant',
  steps: 60,
  distillation: 0,
  encoderLrScale: 1,
  validationFraction: 0.2,
  validateEvery: 10,
  patience: 0,
};

/** In order of interest: a grid run strategy-major can be cut short after any strategy. */
export const STRATEGIES: readonly Strategy[] = [
  { name: 'card', description: "the model card's recipe.fineTune: what the app and train --init do by default" },
  {
    name: 'legacy',
    description: 'the app before issue 8: trainSegmenter, Adam 3e-4, 100 steps, paper loss (w0 10, balanced), last weights',
    legacy: true,
    settings: { ...base, learningRate: 3e-4, steps: 100 },
  },
  { name: 'lr1e-4+distill', description: 'fineTune, card loss, keep-best; Adam 1e-4, distillation 1', settings: { ...base, distillation: 1 } },
  { name: 'lr1e-4', description: 'fineTune, card loss, keep-best; Adam 1e-4', settings: base },
  {
    name: 'lr3e-4+distill',
    description: 'fineTune, card loss, keep-best; Adam 3e-4, distillation 1',
    settings: { ...base, learningRate: 3e-4, distillation: 1 },
  },
  {
    name: 'lr1e-4+distill+enc0.1',
    description: 'Adam 1e-4, distillation 1, the encoder at 0.1x the learning rate',
    settings: { ...base, distillation: 1, encoderLrScale: 0.1 },
  },
  {
    name: 'lr3e-4+distill+enc0.1',
    description: 'Adam 3e-4, distillation 1, the encoder at 0.1x the learning rate',
    settings: { ...base, learningRate: 3e-4, distillation: 1, encoderLrScale: 0.1 },
  },
  { name: 'lr3e-4', description: 'fineTune, card loss, keep-best; Adam 3e-4', settings: { ...base, learningRate: 3e-4 } },
  { name: 'lr1e-4+enc0.1', description: 'Adam 1e-4, the encoder at 0.1x the learning rate', settings: { ...base, encoderLrScale: 0.1 } },
  {
    name: 'lr1e-4+distill3',
    description: 'Adam 1e-4, distillation 3: one-sided scribbles (nearly all foreground) shift the class balance less',
    settings: { ...base, distillation: 3 },
  },
  {
    name: 'lr1e-4+distill+balanced',
    description: 'Adam 1e-4, distillation 1, painted classes balanced (w_c): one-sided scribbles weigh each class alike',
    settings: { ...base, distillation: 1 },
    loss: { balanceClasses: true },
  },
  {
    name: 'lr1e-4+distill3+balanced',
    description: 'Adam 1e-4, distillation 3, painted classes balanced',
    settings: { ...base, distillation: 3 },
    loss: { balanceClasses: true },
  },
  {
    name: 'lr1e-4+distill10',
    description: 'Adam 1e-4, distillation 10: the unpainted pixels (what the user accepted) weigh 10x',
    settings: { ...base, distillation: 10 },
  },
  {
    name: 'lr1e-4+distill10+balanced',
    description: 'Adam 1e-4, distillation 10, painted classes balanced',
    settings: { ...base, distillation: 10 },
    loss: { balanceClasses: true },
  },
  {
    name: 'lr3e-4+distill10',
    description: 'Adam 3e-4, distillation 10: does a larger step fix more of the painted errors while distillation holds the rest?',
    settings: { ...base, learningRate: 3e-4, distillation: 10 },
  },
  {
    name: 'lr1e-4+distill10+enc0.1',
    description: 'Adam 1e-4, distillation 10, the encoder at 0.1x (the nuclei cards with distillation 10)',
    settings: { ...base, distillation: 10, encoderLrScale: 0.1 },
  },
  {
    name: 'lr1e-4+distill10+balanced+enc0.1',
    description: 'Adam 1e-4, distillation 10, painted classes balanced, the encoder at 0.1x',
    settings: { ...base, distillation: 10, encoderLrScale: 0.1 },
    loss: { balanceClasses: true },
  },
  {
    name: 'lr1e-4+distill10+margin4',
    description: 'Adam 1e-4, distillation 10 except within 4 px of a painted pixel',
    settings: { ...base, distillation: 10, distillationMargin: 4 },
  },
  {
    name: 'lr5e-5+distill',
    description: 'Adam 5e-5, distillation 1: smaller steps, so keep-best can stop before the unpainted pixels drift',
    settings: { ...base, learningRate: 5e-5, distillation: 1 },
  },
];
/** Looks strategies up by name ('all' = every one); unknown names are refused with the list. */
export function strategiesByName(spec: string): Strategy[] {
  // 'all' is the comparison grid; the card's defaults (chosen from it) and legacy are run by name.
  if (spec === 'all') return STRATEGIES.filter((s) => s.name !== 'card' && s.name !== 'legacy');
  return spec.split(',').map((name) => {
    const found = STRATEGIES.find((s) => s.name === name.trim());
    if (!found) throw new Error(`unknown strategy '${name}': one of ${STRATEGIES.map((s) => s.name).join(', ')}, or all`);
    return found;
  });
}
