import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelCard, parseModelCard } from './io';
import type { TrainingRecipe } from './recipe';
import { defaultFineTuneRecipe, defaultRecipe, fineTuneSettings, resolveRecipe } from './recipeDefaults';
import type { Segmenter } from './types';
import { createUnet } from './unet';

const recipe: TrainingRecipe = {
  loss: { w0: 0, sigma: 4, balanceClasses: false, objectClass: 1 },
  augment: { rotate90: true, flip: false, elasticSigma: 6, gain: 0.1 },
  tileSize: 316,
  batchSize: 2,
  optimizer: 'sgd',
  learningRate: 0.01,
  schedule: 'step',
  fineTune: { ...defaultFineTuneRecipe, learningRate: 3e-5, steps: 40, distillation: 0.5, encoderLrScale: 0.1, patience: 2 },
};

let net: Segmenter;
beforeAll(async () => {
  await tf.setBackend('cpu');
  net = createUnet({ depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 1 });
});
afterAll(() => net.dispose());

describe('training recipe in the model card', () => {
  it('round-trips through createModelCard, JSON text and parseModelCard unchanged', () => {
    const card = createModelCard(net, { name: 'em', task: 'membranes', description: '', recipe });
    const back = parseModelCard(JSON.parse(JSON.stringify(card)));
    expect(back.recipe).toEqual(recipe);
    expect(resolveRecipe(back)).toEqual(recipe);
    // augment: false (no augmentation) survives too.
    const none = createModelCard(net, { name: 'x', task: 'nuclei', description: '', recipe: { ...recipe, augment: false } });
    expect(parseModelCard(JSON.parse(JSON.stringify(none))).recipe?.augment).toBe(false);
  });

  it('rejects a bad recipe with a message naming the field', () => {
    const card = createModelCard(net, { name: 'em', task: 'membranes', description: '', recipe });
    const withRecipe = (r: unknown): unknown => ({ ...card, recipe: r });
    expect(() => parseModelCard(withRecipe('fast'))).toThrow(/recipe must be an object/);
    expect(() => parseModelCard(withRecipe({ ...recipe, loss: { ...recipe.loss, w0: -1 } }))).toThrow(/recipe\.loss\.w0/);
    expect(() => parseModelCard(withRecipe({ ...recipe, loss: { ...recipe.loss, objectClass: 3 } }))).toThrow(/recipe\.loss\.objectClass/);
    expect(() => parseModelCard(withRecipe({ ...recipe, augment: { elasticSigma: 'big' } }))).toThrow(/recipe\.augment\.elasticSigma/);
    expect(() => parseModelCard(withRecipe({ ...recipe, augment: { zoom: 0.5 } }))).toThrow(/recipe\.augment\.zoom must be 0 \(off\) or a number >= 1/);
    expect(parseModelCard(withRecipe({ ...recipe, augment: { zoom: 2 } })).recipe?.augment).toEqual({ zoom: 2 });
    expect(() => parseModelCard(withRecipe({ ...recipe, augment: { blur: -2 } }))).toThrow(/recipe\.augment\.blur/);
    expect(parseModelCard(withRecipe({ ...recipe, augment: { blur: 2 } })).recipe?.augment).toEqual({ blur: 2 });
    expect(() => parseModelCard(withRecipe({ ...recipe, augment: { noise: -0.1 } }))).toThrow(/recipe\.augment\.noise/);
    expect(parseModelCard(withRecipe({ ...recipe, augment: { noise: 0.1 } })).recipe?.augment).toEqual({ noise: 0.1 });
    expect(() => parseModelCard(withRecipe({ ...recipe, schedule: 'linear' }))).toThrow(/recipe\.schedule/);
    const ft = (change: Record<string, unknown>): unknown => withRecipe({ ...recipe, fineTune: { ...recipe.fineTune, ...change } });
    expect(() => parseModelCard(ft({ learningRate: 0 }))).toThrow(/recipe\.fineTune\.learningRate/);
    expect(() => parseModelCard(ft({ steps: 2.5 }))).toThrow(/recipe\.fineTune\.steps must be an integer/);
    expect(() => parseModelCard(ft({ encoderLrScale: 2 }))).toThrow(/recipe\.fineTune\.encoderLrScale/);
    expect(() => parseModelCard(ft({ validateEvery: 0 }))).toThrow(/recipe\.fineTune\.validateEvery/);
    expect(() => parseModelCard(withRecipe({ ...recipe, fineTune: undefined }))).toThrow(/recipe\.fineTune must be an object/);
    // The optional field: absent is fine, a bad value is named.
    expect(() => parseModelCard(ft({ distillationMargin: -1 }))).toThrow(/recipe\.fineTune\.distillationMargin/);
    expect(parseModelCard(ft({ distillationMargin: 4 })).recipe?.fineTune).toEqual({ ...recipe.fineTune, distillationMargin: 4 });
  });

  it('gives cards without a recipe the train CLI defaults of their task', () => {
    const card = createModelCard(net, { name: 'old', task: 'membranes', description: '' });
    expect(card.recipe).toBeUndefined();
    const r = resolveRecipe(card);
    expect(r).toEqual(defaultRecipe('membranes'));
    expect(r.loss).toEqual({ w0: 10, sigma: 5, balanceClasses: true, objectClass: 1 });
    expect(resolveRecipe({ task: 'nuclei' }).loss.objectClass).toBe(2);
    // Fine-tuning (measured): nuclei with the encoder at 0.1x the learning rate, membranes with distillation 10.
    expect(resolveRecipe({ task: 'nuclei' }).fineTune).toEqual({ ...defaultFineTuneRecipe, encoderLrScale: 0.1 });
    expect(r.fineTune).toEqual({ ...defaultFineTuneRecipe, distillation: 10 });
  });

  it('merges and checks fine-tune overrides', () => {
    const s = fineTuneSettings(recipe, { distillation: 0, steps: undefined });
    expect(s).toEqual({ ...recipe.fineTune, distillation: 0 });
    expect(() => fineTuneSettings(recipe, { learningRate: -1 })).toThrow(/fine-tune\.learningRate/);
  });
});
