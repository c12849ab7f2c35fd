/**
 * Fine-tuning on painted labels that keeps what the user did not correct and never ends worse than it
 * started (issue 8). Differences from trainSegmenter (train.ts), which trains dense data from scratch:
 * - the loss and augmentation come from the model's recipe (its card), so a fine-tune never changes the
 *   loss the model was trained with;
 * - a distillation term holds unlabelled pixels to the starting model's predictions (distillation.ts),
 *   and the contracting path may learn more slowly (trainingStep.ts);
 * - the held-out labels are scored before the first step and every `validateEvery` steps; the best
 *   weights are kept, and if none beat the start the starting weights are restored (validation.ts);
 * - the tile is the largest legal one whose training step fits the memory budget (trainingMemory.ts)
 *   and every tile's output window holds labelled pixels (tileSampler.ts);
 * - new strokes join the next steps (pollSamples), previews and other queued work run between steps.
 */
import * as tf from '@tensorflow/tfjs';
import { defaultAugmentation } from './augment';
import { throwIfAborted } from './abort';
import { distillationLoss, distillationMask, teacherProbabilities } from './distillation';
import { checkFineTuneLabels, prepareFineTuneSamples, sameValidation } from './fineTuneSamples';
import type { PreparedFineTuneSample } from './fineTuneSamples';
import type { FineTuneOptions, FineTuneResult, FineTuneSample, ValidationScore } from './fineTuneTypes';
import { gradientSmokeTest, logitsFunction } from './gradientCheck';
import { weightedSoftmaxCrossEntropy } from './loss';
import { createRng } from './random';
import type { FineTuneRecipe } from './recipe';
import { fineTuneSettings } from './recipeDefaults';
import { createTileSampler } from './tileSampler';
import type { SampledTile, TileSampler } from './tileSampler';
import { learningRateAt } from './train';
import { chooseTrainingTile } from './trainingMemory';
import { createStepper } from './trainingStep';
import type { Segmenter } from './types';
import { createKeepBest } from './keepBest';
import { planValidation } from './validation';

export { checkFineTuneLabels } from './fineTuneSamples';
export { resolveRecipe } from './recipeDefaults';

/** One step's batch as tensors-to-be. */
interface Batch {
  readonly x: Float32Array;
  readonly targets: Int32Array;
  readonly weights: Float32Array;
  readonly teacher: Float32Array | null;
  readonly mask: Float32Array | null;
  readonly labelledPixels: number;
}

function buildBatch(sampler: TileSampler, batch: number, tileSize: number, outTile: number, distill: boolean): Batch {
  const x = new Float32Array(batch * tileSize * tileSize);
  const targets = new Int32Array(batch * outTile * outTile);
  const weights = new Float32Array(batch * outTile * outTile);
  const teacher = distill ? new Float32Array(batch * outTile * outTile) : null;
  const mask = distill ? new Float32Array(batch * outTile * outTile) : null;
  let labelledPixels = 0;
  for (let b = 0; b < batch; b++) {
    const tile: SampledTile = sampler.next();
    const off = b * outTile * outTile;
    x.set(tile.image, b * tileSize * tileSize);
    weights.set(tile.weights, off);
    for (let i = 0; i < tile.labels.length; i++) targets[off + i] = tile.labels[i] === 2 ? 1 : 0;
    if (teacher !== null && mask !== null && tile.teacher !== undefined) {
      teacher.set(tile.teacher, off);
      mask.set(distillationMask(tile.labels, tile.teacher), off);
    }
    labelledPixels += tile.labelledPixels;
  }
  return { x, targets, weights, teacher, mask, labelledPixels };
}

/** Sentence for the user about what was kept. */
function keptMessage(kept: 'tuned' | 'start', before: ValidationScore | null, after: ValidationScore | null, bestStep: number, steps: number): string {
  const pct = (s: ValidationScore): string => `${(100 * s.pixelAccuracy).toFixed(1)}%`;
  if (before === null || after === null) {
    return `Kept the weights after ${steps} steps; nothing was held out for validation, so they are not checked against the start.`;
  }
  if (kept === 'start') {
    return `Kept the starting model: no fine-tuned weights beat it on the held-out labels (accuracy ${pct(before)}, loss ${before.loss.toFixed(3)}).`;
  }
  return `Kept the weights of step ${bestStep}: held-out accuracy ${pct(before)} -> ${pct(after)}, loss ${before.loss.toFixed(3)} -> ${after.loss.toFixed(3)}.`;
}

/** The loss of one step: border-weighted cross-entropy on labelled pixels plus the distillation term. */
function stepLoss(
  logits: (input: tf.Tensor4D, training: boolean) => tf.Tensor4D,
  batch: Batch,
  tileSize: number,
  outTile: number,
  distillation: number,
): () => tf.Scalar {
  const input = tf.tensor4d(batch.x, [1, tileSize, tileSize, 1]);
  const targets = tf.tensor3d(batch.targets, [1, outTile, outTile], 'int32');
  const weights = tf.tensor3d(batch.weights, [1, outTile, outTile]);
  const teacher = batch.teacher === null ? null : tf.tensor3d(batch.teacher, [1, outTile, outTile]);
  const mask = batch.mask === null ? null : tf.tensor3d(batch.mask, [1, outTile, outTile]);
  return () => {
    const out = logits(input, true);
    const labelled = weightedSoftmaxCrossEntropy(out, targets, weights);
    if (teacher === null || mask === null) return labelled;
    return tf.add(labelled, tf.mul(distillation, distillationLoss(out, teacher, mask))) as tf.Scalar;
  };
}

/** Whether to validate after `completed` steps. */
function validationDue(completed: number, settings: FineTuneRecipe): boolean {
  return completed % settings.validateEvery === 0 || completed === settings.steps;
}

/**
 * Fine-tunes `segmenter` in place on painted labels. On return the segmenter holds the best validated
 * weights, or the starting weights when none beat them (bit-exact). Aborting via options.signal stops
 * after the current step and still keeps the best weights. tf.memory().numTensors is back where it was.
 * @throws Error with a user-facing message when the labels cannot support a run (checkFineTuneLabels).
 */
export async function fineTune(segmenter: Segmenter, samples: readonly FineTuneSample[], options: FineTuneOptions): Promise<FineTuneResult> {
  const settings: FineTuneRecipe = fineTuneSettings(options.recipe, options.overrides);
  const problem = checkFineTuneLabels(samples);
  if (problem !== null) throw new Error(problem);
  const { config } = segmenter;
  if (config.inChannels !== 1 || config.classes !== 2) throw new Error('fine-tuning supports single-channel, 2-class models');
  throwIfAborted(options.signal, 'Fine-tuning');
  await gradientSmokeTest(segmenter);

  const { recipe, budgetBytes } = options;
  const distill = settings.distillation > 0;
  const { tileSize, outputSize: outTile } = chooseTrainingTile({
    config,
    budgetBytes,
    maxInputSize: options.maxTileSize,
    imageSize: { width: Math.max(...samples.map((s) => s.image.width)), height: Math.max(...samples.map((s) => s.image.height)) },
    optimizer: settings.optimizer,
    distillation: distill,
  });
  const rng = createRng(options.seed ?? 1);
  const augment = recipe.augment === false ? {} : { ...defaultAugmentation, ...recipe.augment };
  const samplerFor = (prepared: readonly PreparedFineTuneSample[]): TileSampler =>
    createTileSampler(prepared.map((p) => p.prepared).filter((p) => p.labelled.length > 0), { tileSize, outputSize: outTile, augment, rng });
  const keep = await createKeepBest(segmenter, planValidation(config, samples, budgetBytes), options.onValidation);
  const stepper = createStepper(segmenter, { optimizer: settings.optimizer, learningRate: settings.learningRate, encoderLrScale: settings.encoderLrScale });
  try {
    const teacher = distill ? (image: FineTuneSample['image']) => keep.withStart(() => teacherProbabilities(segmenter, image, budgetBytes)) : null;
    let prepared = await prepareFineTuneSamples(samples, { loss: recipe.loss, teacher });
    let sampler = samplerFor(prepared);

    /** New strokes: re-prepare what changed; a changed held-out set re-scores the start and the best. */
    const poll = async (): Promise<void> => {
      const next = options.pollSamples?.() ?? null;
      // Labels that cannot support training (e.g. everything erased) are ignored until they can.
      if (next === null || checkFineTuneLabels(next) !== null) return;
      const validationChanged = next.length !== prepared.length || next.some((s, i) => !sameValidation(s, prepared[i].source));
      prepared = await prepareFineTuneSamples(next, { loss: recipe.loss, teacher }, prepared);
      sampler = samplerFor(prepared);
      if (validationChanged) await keep.setPlan(planValidation(config, next, budgetBytes));
    };

    const logits = logitsFunction(segmenter);
    // A seeded tfjs Dropout draws the same mask on every call; reseed it per step (see train.ts).
    const dropouts = segmenter.model.layers.filter((l) => l.getClassName() === 'Dropout') as unknown as { seed?: number }[];
    const schedule = { steps: settings.steps, learningRate: settings.learningRate, schedule: settings.schedule, optimizer: settings.optimizer };
    let completed = 0;
    let lastValidated = 0;
    let sinceBest = 0;
    let aborted = false;
    let stoppedEarly = false;
    let smoothed = NaN;
    let timeAfterFirst = 0;
    const startedAt = Date.now();
    for (let step = 0; step < settings.steps; step++) {
      if (options.signal?.aborted) {
        aborted = true;
        break;
      }
      if (step > 0) {
        await poll();
        await options.betweenSteps?.();
      }
      const t0 = Date.now();
      const lr = learningRateAt(schedule, step);
      stepper.setLearningRate(lr);
      const batch = buildBatch(sampler, 1, tileSize, outTile, distill);
      for (const d of dropouts) d.seed = rng.seed();
      const lossTensor = tf.tidy(() => stepper.step(stepLoss(logits, batch, tileSize, outTile, settings.distillation)));
      const loss = (await lossTensor.data())[0];
      lossTensor.dispose();
      if (!Number.isFinite(loss)) throw new Error(`fine-tuning diverged at step ${step + 1} (loss ${loss}): lower the learning rate`);
      completed = step + 1;
      smoothed = Number.isNaN(smoothed) ? loss : 0.9 * smoothed + 0.1 * loss;
      const ms = Date.now() - t0;
      if (step > 0) timeAfterFirst += ms;
      const pace = completed > 1 ? timeAfterFirst / (completed - 1) : ms;
      const validationsLeft = Math.floor(settings.steps / settings.validateEvery) - Math.floor(completed / settings.validateEvery);
      const perValidation = keep.validations > 0 ? keep.validationMs / keep.validations : 0;
      const etaMs = pace * (settings.steps - completed) + perValidation * validationsLeft;
      options.onProgress?.({ step: completed, steps: settings.steps, loss, smoothedLoss: smoothed, learningRate: lr, msPerStep: ms, labelledPixels: batch.labelledPixels, etaMs });

      if (validationDue(completed, settings)) {
        lastValidated = completed;
        const result = await keep.validate(completed);
        sinceBest = result === null || result.improved ? 0 : sinceBest + 1;
        if (settings.patience > 0 && sinceBest >= settings.patience) {
          stoppedEarly = completed < settings.steps;
          break;
        }
      }
      if (options.onPreview && options.previewEvery && completed % options.previewEvery === 0) await options.onPreview(completed, segmenter);
      // Let timers and abort events run between steps (data() alone may resolve as a microtask).
      await tf.nextFrame();
    }
    // Steps since the last validation (a stop) are scored too, so that stopping keeps their progress.
    if (completed > lastValidated) await keep.validate(completed);
    const { kept, bestStep, before, after } = keep.finish(completed);
    return {
      steps: completed,
      aborted,
      stoppedEarly,
      before,
      after,
      bestStep,
      kept,
      message: keptMessage(kept, before, after, bestStep, completed),
      msPerStep: completed > 1 ? timeAfterFirst / (completed - 1) : Date.now() - startedAt,
      tileSize,
      outputTileSize: outTile,
      settings,
    };
  } finally {
    stepper.dispose();
    keep.dispose();
  }
}
