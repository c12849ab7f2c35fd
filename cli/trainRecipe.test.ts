import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModelCard } from '../src/model/io';
import type { LossRecipe, TrainingRecipe } from '../src/model/recipe';
import { defaultFineTuneRecipe, defaultFineTuneRecipeFor } from '../src/model/recipeDefaults';
import { parseFlags } from './args';
import type { Task } from './dataset';
import { SPEC } from './train';
import { augmentFromFlags, fineTuneOverrides, lossFromFlags, recipeOfDenseRun, refuseFineTuneFlags } from './trainRecipe';

const flags = (...argv: string[]) => parseFlags(argv, SPEC);
const emLoss: LossRecipe = { w0: 0, sigma: 5, balanceClasses: false, objectClass: 1 };

describe('train CLI recipe', () => {
  it("takes the loss from the card's recipe unless flags override it", () => {
    expect(lossFromFlags(flags(), 'membranes', emLoss)).toEqual(emLoss);
    expect(lossFromFlags(flags('--w0', '10'), 'membranes', emLoss)).toEqual({ ...emLoss, w0: 10 });
    expect(lossFromFlags(flags('--balance'), 'membranes', emLoss).balanceClasses).toBe(true);
    // From scratch: the paper's loss, objects by task.
    expect(lossFromFlags(flags(), 'membranes')).toEqual({ w0: 10, sigma: 5, balanceClasses: true, objectClass: 1 });
    expect(lossFromFlags(flags('--no-balance'), 'nuclei')).toEqual({ w0: 10, sigma: 5, balanceClasses: false, objectClass: 2 });
    expect(() => lossFromFlags(flags('--balance', '--no-balance'), 'nuclei')).toThrow(/either --balance or --no-balance/);
  });

  it('takes the augmentation from the recipe, with --elastic-sigma and --no-augment applied', () => {
    expect(augmentFromFlags(flags(), { rotate90: true, elasticSigma: 4 })).toMatchObject({ rotate90: true, elasticSigma: 4, flip: true });
    expect(augmentFromFlags(flags('--elastic-sigma', '2'), { elasticSigma: 4 })).toMatchObject({ elasticSigma: 2 });
    expect(augmentFromFlags(flags('--no-augment'), { elasticSigma: 4 })).toBe(false);
    expect(augmentFromFlags(flags(), false)).toMatchObject({ elasticSigma: 10 });
    expect(augmentFromFlags(flags('--zoom', '2'), { elasticSigma: 4 })).toMatchObject({ elasticSigma: 4, zoom: 2 });
    expect(() => augmentFromFlags(flags('--zoom', '0.5'), undefined)).toThrow(/--zoom must be 0 \(off\) or >= 1/);
    expect(() => augmentFromFlags(flags('--no-augment', '--zoom', '2'), undefined)).toThrow(/--zoom has no effect/);
    expect(augmentFromFlags(flags('--blur', '1.5'), { zoom: 2 })).toMatchObject({ zoom: 2, blur: 1.5, elasticSigma: 10 });
    expect(() => augmentFromFlags(flags('--blur', '-1'), undefined)).toThrow(/--blur/);
    expect(() => augmentFromFlags(flags('--no-augment', '--blur', '2'), undefined)).toThrow(/--blur has no effect/);
    expect(augmentFromFlags(flags('--noise', '0.15'), { blur: 1 })).toMatchObject({ blur: 1, noise: 0.15, gain: 0.2 });
    expect(() => augmentFromFlags(flags('--noise', '-0.1'), undefined)).toThrow(/--noise/);
    expect(() => augmentFromFlags(flags('--no-augment', '--noise', '0.1'), undefined)).toThrow(/--noise has no effect/);
  });

  it('turns fine-tune flags into overrides, and refuses them outside a fine-tune', () => {
    expect(fineTuneOverrides(flags())).toEqual({});
    expect(
      fineTuneOverrides(
        flags('--steps', '30', '--distill', '0', '--encoder-lr-scale', '0.1', '--distill-margin', '4', '--val-fraction', '0', '--validate-every', '5', '--patience', '0', '--lr', '3e-5'),
      ),
    ).toEqual({ steps: 30, distillation: 0, encoderLrScale: 0.1, distillationMargin: 4, validationFraction: 0, validateEvery: 5, patience: 0, learningRate: 3e-5 });
    expect(() => fineTuneOverrides(flags('--distill-margin', '-1'))).toThrow(/--distill-margin/);
    expect(() => fineTuneOverrides(flags('--encoder-lr-scale', '2'))).toThrow(/--encoder-lr-scale must be <= 1/);
    expect(() => refuseFineTuneFlags(flags('--distill', '1', '--patience', '2'))).toThrow(/--distill, --patience apply to fine-tuning only/);
    expect(() => refuseFineTuneFlags(flags('--val-fraction', '0'))).toThrow(/--val-fraction applies to fine-tuning only/);
    expect(() => refuseFineTuneFlags(flags('--distill-margin', '2'))).toThrow(/--distill-margin applies to fine-tuning only/);
    expect(() => refuseFineTuneFlags(flags('--steps', '5'))).not.toThrow();
  });

  it('writes a dense run into the recipe, keeping the fine-tune defaults of the model it started from', () => {
    const run = { loss: emLoss, augment: false as const, tileSize: 316, batchSize: 1, optimizer: 'adam' as const, learningRate: 1e-3, schedule: 'cosine' as const };
    // A new membranes model fine-tunes with distillation 10, like the shipped EM card.
    expect(recipeOfDenseRun(run, 'membranes').fineTune).toEqual({ ...defaultFineTuneRecipe, distillation: 10 });
    // A new nuclei model fine-tunes with the encoder at 0.1x, as the shipped nuclei cards measured best.
    expect(recipeOfDenseRun(run, 'nuclei').fineTune).toEqual({ ...defaultFineTuneRecipe, encoderLrScale: 0.1 });
    const base = { ...recipeOfDenseRun(run, 'membranes'), fineTune: { ...defaultFineTuneRecipe, steps: 33 } };
    expect(recipeOfDenseRun({ ...run, tileSize: 380 }, 'nuclei', base)).toEqual({ ...run, tileSize: 380, fineTune: base.fineTune });
  });
});

describe('shipped model cards', () => {
  // Replays each card's chain of training commands through the CLI's own flag logic: the recipe in the
  // card must be what its last stage trained with.
  for (const name of ['nuclei', 'nuclei-boundary', 'em-membranes']) {
    it(`${name}: the recipe records how the model was trained`, () => {
      const card = parseModelCard(JSON.parse(readFileSync(path.resolve(__dirname, `../public/models/${name}/model-card.json`), 'utf8')));
      const recipe = card.recipe as TrainingRecipe;
      expect(recipe).toBeDefined();
      const stages = card.training!.command.split('&&').map((c) => c.trim().replace(/^npm run train -- /, '').split(/\s+/));
      let loss: LossRecipe | undefined;
      let last = flags();
      for (const argv of stages) {
        last = flags(...argv);
        loss = lossFromFlags(last, last.task as Task, loss);
      }
      expect(recipe.loss).toEqual(loss);
      expect(recipe.augment).toEqual(augmentFromFlags(last, undefined));
      const tile = last.tile === undefined ? 252 : Number(last.tile);
      expect(recipe.tileSize).toBe(tile);
      // Without --lr a run takes trainSegmenter's default: 1e-3 for Adam, 1e-2 for SGD.
      const optimizer = last.optimizer ?? 'adam';
      expect(recipe.learningRate).toBe(last.lr === undefined ? (optimizer === 'sgd' ? 1e-2 : 1e-3) : Number(last.lr));
      expect(recipe.optimizer).toBe(optimizer);
      expect(recipe.schedule).toBe(last.schedule ?? 'cosine');
      // Its fine-tune defaults are the measured ones of its task, which a model of that task trained from
      // scratch gets too (nuclei: encoder 0.1x; membranes: distillation 10).
      expect(recipe.fineTune).toEqual(defaultFineTuneRecipeFor(card.task));
    });
  }
});
