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
import type { PreparedFineTuneSample, PrepareOptions } from './fineTuneSamples';
import type { FineTuneOptions, FineTuneResult, FineTuneSample, ValidationScore } from './fineTuneTypes';
import { gradientSmokeTest, logitsFunction } from './gradientCheck';
import { paintedClassesProblem } from './classWeights';
import { weightedGroupCrossEntropy } from './loss';
import { createRng } from './random';
import type { Rng } from './random';
import type { FineTuneRecipe } from './recipe';
import { fineTuneSettings } from './recipeDefaults';
import { createTileSampler } from './tileSampler';
import type { SampledTile, TileSampler } from './tileSampler';
import { learningRateAt } from './train';
import type { TrainOptions } from './train';
import { chooseTrainingTile } from './trainingMemory';
import { createStepper } from './trainingStep';
import type { Stepper } from './trainingStep';
import type { Segmenter } from './types';
import { createKeepBest } from './keepBest';
import type { KeepBest } from './keepBest';
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

/** `teacherValues`: teacher values per pixel (classes - 1), 0 without distillation. */
function buildBatch(sampler: TileSampler, batch: number, tileSize: number, outTile: number, teacherValues: number): Batch {
  const x = new Float32Array(batch * tileSize * tileSize);
  const targets = new Int32Array(batch * outTile * outTile);
  const weights = new Float32Array(batch * outTile * outTile);
  const distill = teacherValues > 0;
  const teacher = distill ? new Float32Array(batch * outTile * outTile * teacherValues) : null;
  const mask = distill ? new Float32Array(batch * outTile * outTile) : null;
  let labelledPixels = 0;
  for (let b = 0; b < batch; b++) {
    const tile: SampledTile = sampler.next();
    const off = b * outTile * outTile;
    x.set(tile.image, b * tileSize * tileSize);
    weights.set(tile.weights, off);
    for (let i = 0; i < tile.labels.length; i++) targets[off + i] = tile.labels[i] === 2 ? 1 : 0;
    if (teacher !== null && mask !== null && tile.teacher !== undefined) {
      teacher.set(tile.teacher, off * teacherValues);
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

/**
 * The loss of one step: border-weighted cross-entropy on labelled pixels (a painted foreground pixel may
 * be any of the `foreground` classes) plus the distillation term.
 */
function stepLoss(run: Run, batch: Batch): () => tf.Scalar {
  const { tileSize, outTile, foreground, logits } = run;
  const { distillation } = run.settings;
  const classes = run.segmenter.config.classes;
  const input = tf.tensor4d(batch.x, [1, tileSize, tileSize, 1]);
  const targets = tf.tensor3d(batch.targets, [1, outTile, outTile], 'int32');
  const weights = tf.tensor3d(batch.weights, [1, outTile, outTile]);
  const teacher =
    batch.teacher === null
      ? null
      : classes === 2
        ? tf.tensor3d(batch.teacher, [1, outTile, outTile])
        : tf.tensor4d(batch.teacher, [1, outTile, outTile, classes - 1]);
  const mask = batch.mask === null ? null : tf.tensor3d(batch.mask, [1, outTile, outTile]);
  return () => {
    const out = logits(input, true);
    const labelled = weightedGroupCrossEntropy(out, targets, weights, foreground);
    if (teacher === null || mask === null) return labelled;
    return tf.add(labelled, tf.mul(distillation, distillationLoss(out, teacher, mask))) as tf.Scalar;
  };
}

/** Whether to validate after `completed` steps. */
function validationDue(completed: number, settings: FineTuneRecipe): boolean {
  return completed % settings.validateEvery === 0 || completed === settings.steps;
}

/** Everything a run's steps share, set up once. */
interface Run {
  readonly segmenter: Segmenter;
  readonly settings: FineTuneRecipe;
  readonly options: FineTuneOptions;
  readonly tileSize: number;
  readonly outTile: number;
  /** The classes a painted foreground pixel may be. */
  readonly foreground: readonly number[];
  readonly rng: Rng;
  readonly keep: KeepBest;
  readonly stepper: Stepper;
  readonly logits: (input: tf.Tensor4D, training: boolean) => tf.Tensor4D;
  readonly dropouts: readonly { seed?: number }[];
  readonly schedule: TrainOptions;
  readonly samplerFor: (prepared: readonly PreparedFineTuneSample[]) => TileSampler;
  /** How painted samples become training samples: the fine-tune's loss, the teacher, the margin. */
  readonly prepare: PrepareOptions;
}

/** The samples in use and their tile sampler; replaced when new strokes arrive. */
interface RunData {
  prepared: PreparedFineTuneSample[];
  sampler: TileSampler;
}

/** New strokes: re-prepare what changed; a changed held-out set re-scores the start and the best. */
async function poll(run: Run, data: RunData): Promise<void> {
  const next = run.options.pollSamples?.() ?? null;
  // Labels that cannot support training (e.g. everything erased) are ignored until they can.
  if (next === null || checkFineTuneLabels(next) !== null) return;
  const validationChanged = next.length !== data.prepared.length || next.some((s, i) => !sameValidation(s, data.prepared[i].source));
  data.prepared = await prepareFineTuneSamples(next, run.prepare, data.prepared);
  data.sampler = run.samplerFor(data.prepared);
  if (validationChanged) await run.keep.setPlan(planValidation(run.segmenter.config, next, run.options.budgetBytes, run.foreground));
}

/** One optimiser step; returns its loss, learning rate and labelled pixels. */
async function trainStep(run: Run, data: RunData, step: number): Promise<{ loss: number; lr: number; labelledPixels: number }> {
  const { tileSize, outTile, settings } = run;
  const lr = learningRateAt(run.schedule, step);
  run.stepper.setLearningRate(lr);
  const batch = buildBatch(data.sampler, 1, tileSize, outTile, settings.distillation > 0 ? run.segmenter.config.classes - 1 : 0);
  for (const d of run.dropouts) d.seed = run.rng.seed();
  const lossTensor = tf.tidy(() => run.stepper.step(stepLoss(run, batch)));
  const loss = (await lossTensor.data())[0];
  lossTensor.dispose();
  if (!Number.isFinite(loss)) throw new Error(`fine-tuning diverged at step ${step + 1} (loss ${loss}): lower the learning rate`);
  return { loss, lr, labelledPixels: batch.labelledPixels };
}

/** Sets up a run: settings, tile, keep-best with the starting score, optimiser(s), samples. */
async function startRun(segmenter: Segmenter, samples: readonly FineTuneSample[], options: FineTuneOptions): Promise<{ run: Run; data: RunData }> {
  const settings: FineTuneRecipe = fineTuneSettings(options.recipe, options.overrides);
  const problem = checkFineTuneLabels(samples);
  if (problem !== null) throw new Error(problem);
  const { config } = segmenter;
  if (config.inChannels !== 1) throw new Error(`Fine-tuning supports single-channel models; this one takes ${config.inChannels} channels.`);
  // Painted labels say foreground or background. A model with more classes is tuned only when its card
  // says which classes a foreground pixel may be (a boundary-class model: interior or boundary); without
  // that every painted pixel would become one class and the others would be unlearned.
  const foreground = options.foregroundClasses ?? [1];
  if (config.classes !== 2 && options.foregroundClasses === undefined) {
    throw new Error(
      `Fine-tuning a ${config.classes}-class model needs its card's classWeights (which classes are foreground); ` +
        'this one has none. Train it further with npm run train instead.',
    );
  }
  const classProblem = paintedClassesProblem(foreground, config.classes);
  if (classProblem !== null) throw new Error(`Fine-tuning cannot use painted labels here: ${classProblem}.`);
  throwIfAborted(options.signal, 'Fine-tuning');
  await gradientSmokeTest(segmenter);

  const { recipe, budgetBytes } = options;
  const distill = settings.distillation > 0;
  const { tileSize, outputSize: outTile } = chooseTrainingTile({
    config,
    budgetBytes,
    maxInputSize: options.maxTileSize,
    maxBindingBytes: options.maxBindingBytes,
    imageSize: { width: Math.max(...samples.map((s) => s.image.width)), height: Math.max(...samples.map((s) => s.image.height)) },
    optimizer: settings.optimizer,
    distillation: distill,
  });
  const rng = createRng(options.seed ?? 1);
  const augment = recipe.augment === false ? {} : { ...defaultAugmentation, ...recipe.augment };
  const keep = await createKeepBest(segmenter, planValidation(config, samples, budgetBytes, foreground), options.onValidation);
  const stepper = createStepper(segmenter, { optimizer: settings.optimizer, learningRate: settings.learningRate, encoderLrScale: settings.encoderLrScale });
  const run: Run = {
    segmenter,
    settings,
    options,
    tileSize,
    outTile,
    foreground,
    rng,
    keep,
    stepper,
    logits: logitsFunction(segmenter),
    // A seeded tfjs Dropout draws the same mask on every call; reseed it per step (see train.ts).
    dropouts: segmenter.model.layers.filter((l) => l.getClassName() === 'Dropout') as unknown as { seed?: number }[],
    schedule: { steps: settings.steps, learningRate: settings.learningRate, schedule: settings.schedule, optimizer: settings.optimizer },
    samplerFor: (prepared) =>
      createTileSampler(prepared.map((p) => p.prepared).filter((p) => p.labelled.length > 0), { tileSize, outputSize: outTile, augment, rng }),
    prepare: {
      loss: recipe.loss,
      teacher: distill ? (image) => keep.withStart(() => teacherProbabilities(segmenter, image, budgetBytes)) : null,
      distillationMargin: settings.distillationMargin,
    },
  };
  try {
    const prepared = await prepareFineTuneSamples(samples, run.prepare);
    return { run, data: { prepared, sampler: run.samplerFor(prepared) } };
  } catch (error) {
    stepper.dispose();
    keep.dispose();
    throw error;
  }
}

/**
 * Fine-tunes `segmenter` in place on painted labels. On return the segmenter holds the best validated
 * weights, or the starting weights when none beat them (bit-exact). Aborting via options.signal stops
 * after the current step and still keeps the best weights; an error (e.g. divergence) restores them
 * before it is thrown. tf.memory().numTensors is back where it was.
 * @throws Error with a user-facing message when the labels cannot support a run (checkFineTuneLabels).
 */
export async function fineTune(segmenter: Segmenter, samples: readonly FineTuneSample[], options: FineTuneOptions): Promise<FineTuneResult> {
  const { run, data } = await startRun(segmenter, samples, options);
  const { settings, keep } = run;
  let finished = false;
  try {
    let completed = 0;
    let lastValidated = 0;
    let sinceBest = 0;
    let aborted = false;
    let stoppedEarly = false;
    let smoothed = NaN;
    let timeAfterFirst = 0;
    const startedAt = Date.now();
    for (let step = 0; step < settings.steps; step++) {
      if (step > 0) {
        await poll(run, data);
        await options.betweenSteps?.();
      }
      // Checked after the awaits: a stop may arrive while other work runs between steps.
      if (options.signal?.aborted) {
        aborted = true;
        break;
      }
      const t0 = Date.now();
      const { loss, lr, labelledPixels } = await trainStep(run, data, step);
      completed = step + 1;
      smoothed = Number.isNaN(smoothed) ? loss : 0.9 * smoothed + 0.1 * loss;
      const ms = Date.now() - t0;
      if (step > 0) timeAfterFirst += ms;
      const pace = completed > 1 ? timeAfterFirst / (completed - 1) : ms;
      const validationsLeft = Math.floor(settings.steps / settings.validateEvery) - Math.floor(completed / settings.validateEvery);
      const perValidation = keep.validations > 0 ? keep.validationMs / keep.validations : 0;
      const etaMs = pace * (settings.steps - completed) + perValidation * validationsLeft;
      options.onProgress?.({ step: completed, steps: settings.steps, loss, smoothedLoss: smoothed, learningRate: lr, msPerStep: ms, labelledPixels, etaMs });

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
    finished = true;
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
      tileSize: run.tileSize,
      outputTileSize: run.outTile,
      settings,
    };
  } finally {
    // A failure (divergence, a kernel error, a throwing callback) must not leave half-trained weights.
    if (!finished) keep.recover();
    run.stepper.dispose();
    keep.dispose();
  }
}
