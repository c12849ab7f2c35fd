/**
 * The training loop, shared by the in-browser fine-tuning (worker; WebGPU or WASM) and Node (cli/train.ts).
 * Paper recipe (Ronneberger et al. 2015, section 3): large tiles rather than large batches (batch of one
 * big tile by default), SGD with momentum 0.99, the border-weighted softmax cross-entropy, and heavy
 * augmentation. Adam is offered because it converges in far fewer steps, which matters for short
 * fine-tuning sessions on a laptop.
 */
import * as tf from '@tensorflow/tfjs';
import { defaultAugmentation } from './augment';
import type { AugmentOptions } from './augment';
import type { AbortSignalLike } from './abort';
import type { BorderWeightOptions } from './borderWeights';
import { gradientSmokeTest, logitsFunction } from './gradientCheck';
import { weightedSoftmaxCrossEntropy } from './loss';
import { createRng, restoreRng } from './random';
import type { RngState } from './random';
import { createTileSampler } from './tileSampler';
import { createStepper } from './trainingStep';
import type { OptimizerState } from './trainingStep';
import { prepareSample, withBoundaryClass } from './trainingSamples';
import type { ObjectClass, PreparedSample, TrainingSample } from './trainingSamples';
import type { Segmenter } from './types';
import { isLegalInputSize, nearestLegalInputSize, outputSize } from './validSize';

export type { TrainingSample } from './trainingSamples';

/** Learning-rate schedules: constant, cosine decay to `minLearningRate`, or step decay. */
export type LearningRateSchedule = 'constant' | 'cosine' | 'step';

/** Options of {@link trainSegmenter}. Only `steps` is required. */
export interface TrainOptions {
  /** Optimisation steps (one step = one batch of tiles). */
  readonly steps: number;
  /** 'sgd' = SGD with momentum (paper), 'adam' (default: converges faster in short runs). */
  readonly optimizer?: 'sgd' | 'adam';
  /** Initial learning rate (default 1e-3 for Adam, 1e-2 for SGD). */
  readonly learningRate?: number;
  /** SGD momentum (paper: 0.99). */
  readonly momentum?: number;
  readonly schedule?: LearningRateSchedule;
  /** Final learning rate of the cosine schedule (default learningRate / 100). */
  readonly minLearningRate?: number;
  /** Step schedule: multiply by `stepGamma` every `stepEvery` steps (defaults 0.1, steps / 3). */
  readonly stepEvery?: number;
  readonly stepGamma?: number;
  /** Linear warm-up steps at the start (default 0). */
  readonly warmupSteps?: number;
  /** Side of the square input tile; must be a legal input size (default: the legal size nearest 252). */
  readonly tileSize?: number;
  /** Tiles per step (default 1: one big tile, as the paper). */
  readonly batchSize?: number;
  /** Which partial-label class forms the objects of the border term (nuclei 2, membranes 1). */
  readonly objectClass?: ObjectClass;
  /**
   * Train a 3-class model (background, interior, boundary): each sample's instances mark the foreground
   * pixels on an object's edge as class 2 (see withBoundaryClass). The weight map is the 2-class one.
   */
  readonly boundaryClass?: boolean;
  readonly weights?: BorderWeightOptions;
  /** Augmentation; `false` disables it (default: the paper's, see augment.ts). */
  readonly augment?: AugmentOptions | false;
  /** Seed of tile positions, augmentation and dropout (default 1). */
  readonly seed?: number;
  /** Stops cleanly after the current step; the model keeps the weights of the last completed step. */
  readonly signal?: AbortSignalLike;
  readonly onProgress?: (progress: TrainProgress) => void;
  /**
   * Called (and awaited) every `checkpointEvery` steps, e.g. to save the model; `state` takes what
   * {@link TrainOptions.resume} needs to continue the run from there.
   */
  readonly onCheckpoint?: (progress: TrainProgress, state: () => Promise<TrainState>) => void | Promise<void>;
  /**
   * Continue a run stopped after `resume.step` steps: the segmenter must hold that step's weights, and every
   * other option must be the original run's. Steps, learning rates, tiles, augmentation and dropout then
   * follow exactly as if the run had not stopped.
   */
  readonly resume?: TrainState;
  /** Also return the state after the last completed step (TrainResult.state), e.g. to save it for a resume. */
  readonly returnState?: boolean;
  readonly checkpointEvery?: number;
  /** Skip the start-of-training gradient smoke test (only for benchmarks that run it themselves). */
  readonly skipSmokeTest?: boolean;
}

/** Reported after every step. */
export interface TrainProgress {
  readonly step: number;
  readonly steps: number;
  /** Loss of this step's batch. */
  readonly loss: number;
  /** Exponential moving average of the loss (smoother for display). */
  readonly smoothedLoss: number;
  readonly learningRate: number;
  /** Wall time of this step, including tile sampling and augmentation. */
  readonly msPerStep: number;
  /** Labelled output pixels (weight > 0) in this step's batch; never 0 (see tileSampler.ts). */
  readonly labelledPixels: number;
}

/** Where a run stands after a step: what it needs, beside the weights, to continue exactly. */
export interface TrainState {
  /** Steps completed. */
  readonly step: number;
  readonly rng: RngState;
  readonly smoothedLoss: number;
  readonly optimizer: OptimizerState;
}

/** What {@link trainSegmenter} resolves to. */
export interface TrainResult {
  /** Steps completed. */
  readonly steps: number;
  readonly aborted: boolean;
  readonly finalLoss: number;
  readonly smoothedLoss: number;
  /** Mean wall time per step (first step excluded when more than one ran: it includes set-up). */
  readonly msPerStep: number;
  readonly tileSize: number;
  readonly outputTileSize: number;
  /** With `returnState`: the state after the last completed step (undefined when no step ran). */
  readonly state?: TrainState;
}

/** Learning rate at `step` (0-based) of `steps` for the given options. */
export function learningRateAt(options: TrainOptions, step: number): number {
  const base = options.learningRate ?? (options.optimizer === 'sgd' ? 1e-2 : 1e-3);
  const warm = options.warmupSteps ?? 0;
  const factor = warm > 0 && step < warm ? (step + 1) / warm : 1;
  const schedule = options.schedule ?? 'constant';
  if (schedule === 'constant') return base * factor;
  if (schedule === 'step') {
    const every = Math.max(1, options.stepEvery ?? Math.ceil(options.steps / 3));
    return base * factor * Math.pow(options.stepGamma ?? 0.1, Math.floor(step / every));
  }
  const min = options.minLearningRate ?? base / 100;
  const t = Math.min(1, step / Math.max(1, options.steps - 1));
  return factor * (min + 0.5 * (base - min) * (1 + Math.cos(Math.PI * t)));
}

function validate(options: TrainOptions, samples: readonly TrainingSample[]): void {
  const { steps } = options;
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`steps must be a non-negative integer, got ${steps}`);
  if (samples.length === 0) throw new Error('no training samples');
  const positive = (name: string, v: number | undefined): void => {
    if (v !== undefined && !(v > 0)) throw new RangeError(`${name} must be > 0, got ${v}`);
  };
  positive('learningRate', options.learningRate);
  positive('batchSize', options.batchSize);
  positive('checkpointEvery', options.checkpointEvery);
  const resumed = options.resume?.step;
  if (resumed !== undefined && !(Number.isInteger(resumed) && resumed >= 1 && resumed <= steps)) {
    throw new RangeError(`cannot resume after step ${resumed} of a ${steps}-step run`);
  }
  if (options.momentum !== undefined && !(options.momentum >= 0 && options.momentum < 1)) {
    throw new RangeError(`momentum must be in [0, 1), got ${options.momentum}`);
  }
  if (options.optimizer !== undefined && options.optimizer !== 'sgd' && options.optimizer !== 'adam') {
    throw new RangeError(`optimizer must be 'sgd' or 'adam', got ${String(options.optimizer)}`);
  }
}

/**
 * Trains `segmenter` in place on `samples`. Weight maps are computed once per sample; every step draws
 * `batchSize` random tiles centred on labelled pixels whose output windows hold labelled pixels after
 * augmentation (tileSampler.ts), and takes one optimiser step.
 * Runs the gradient smoke test first, so a backend without a needed kernel fails at once by name.
 * tf.memory().numTensors stays flat across steps.
 */
export async function trainSegmenter(
  segmenter: Segmenter,
  samples: readonly TrainingSample[],
  options: TrainOptions,
): Promise<TrainResult> {
  validate(options, samples);
  const { config } = segmenter;
  if (config.inChannels !== 1) throw new Error('trainSegmenter supports single-channel models (inChannels = 1)');
  const wantClasses = options.boundaryClass === true ? 3 : 2;
  if (config.classes !== wantClasses) {
    throw new Error(`trainSegmenter: a ${options.boundaryClass === true ? 'boundary-class' : 'foreground'} model needs ${wantClasses} classes, this one has ${config.classes}`);
  }
  const tileSize = options.tileSize ?? nearestLegalInputSize(config, 252, 'up');
  if (!isLegalInputSize(config, tileSize)) {
    throw new RangeError(`tile size ${tileSize} is not a legal input size (try ${nearestLegalInputSize(config, tileSize, 'up')})`);
  }
  // The exact output region: valid nets return only it; same nets are trained on their whole output.
  const outTile = outputSize(config, tileSize);
  const batch = options.batchSize ?? 1;
  const objectClass = options.objectClass ?? 2;
  const rng = options.resume !== undefined ? restoreRng(options.resume.rng) : createRng(options.seed ?? 1);
  const augment = options.augment === false ? {} : { ...defaultAugmentation, ...(options.augment ?? {}) };

  if (!options.skipSmokeTest) await gradientSmokeTest(segmenter);
  const prepared = samples.map((s, i) => withBoundaryIfAsked(prepareSample(s, objectClass, options.weights, i), s, options.boundaryClass === true));
  const sampler = createTileSampler(prepared, { tileSize, outputSize: outTile, augment, rng });
  const logits = logitsFunction(segmenter);
  const stepper = createStepper(segmenter, {
    optimizer: options.optimizer ?? 'adam',
    learningRate: learningRateAt(options, 0),
    momentum: options.momentum,
  });
  if (options.resume !== undefined) {
    try {
      await stepper.loadState(options.resume.optimizer);
    } catch (error) {
      stepper.dispose();
      throw error;
    }
  }
  // A tfjs Dropout layer built with a seed draws the *same* mask on every call, which would train one
  // fixed thinned network. Reseeding it from our generator each step restores fresh, reproducible masks.
  const dropouts = segmenter.model.layers.filter((l) => l.getClassName() === 'Dropout') as unknown as { seed?: number }[];

  const buildBatch = (): { x: Float32Array; t: Int32Array; w: Float32Array; labelled: number } => {
    const x = new Float32Array(batch * tileSize * tileSize);
    const t = new Int32Array(batch * outTile * outTile);
    const w = new Float32Array(batch * outTile * outTile);
    let labelled = 0;
    for (let b = 0; b < batch; b++) {
      const tile = sampler.next();
      x.set(tile.image, b * tileSize * tileSize);
      w.set(tile.weights, b * outTile * outTile);
      const off = b * outTile * outTile;
      // Partial label l >= 2 is class l - 1 (foreground 1; with a boundary class, boundary 2).
      for (let i = 0; i < tile.labels.length; i++) t[off + i] = tile.labels[i] >= 2 ? tile.labels[i] - 1 : 0;
      labelled += tile.labelledPixels;
    }
    return { x, t, w, labelled };
  };

  const first = options.resume?.step ?? 0;
  let smoothed = options.resume?.smoothedLoss ?? NaN;
  let finalLoss = NaN;
  let completed = first;
  // Valid between steps only: the generator and the optimiser as the last completed step left them.
  const snapshot = async (): Promise<TrainState> => ({ step: completed, rng: rng.state(), smoothedLoss: smoothed, optimizer: await stepper.saveState() });
  let state: TrainState | undefined;
  let timeAfterFirst = 0;
  let aborted = false;
  const started = Date.now();
  try {
    for (let step = first; step < options.steps; step++) {
      if (options.signal?.aborted) {
        aborted = true;
        break;
      }
      const t0 = Date.now();
      const lr = learningRateAt(options, step);
      stepper.setLearningRate(lr);
      const { x, t, w, labelled } = buildBatch();
      for (const d of dropouts) d.seed = rng.seed();
      const lossTensor = tf.tidy(() => {
        const input = tf.tensor4d(x, [batch, tileSize, tileSize, 1]);
        const targets = tf.tensor3d(t, [batch, outTile, outTile], 'int32');
        const weights = tf.tensor3d(w, [batch, outTile, outTile]);
        return stepper.step(() => weightedSoftmaxCrossEntropy(logits(input, true), targets, weights));
      });
      const loss = (await lossTensor.data())[0];
      lossTensor.dispose();
      if (!Number.isFinite(loss)) {
        throw new Error(`training diverged at step ${step + 1} (loss ${loss}): lower the learning rate`);
      }
      finalLoss = loss;
      smoothed = Number.isNaN(smoothed) ? loss : 0.95 * smoothed + 0.05 * loss;
      completed = step + 1;
      const ms = Date.now() - t0;
      if (step > first) timeAfterFirst += ms;
      const progress: TrainProgress = {
        step: completed,
        steps: options.steps,
        loss,
        smoothedLoss: smoothed,
        learningRate: lr,
        msPerStep: ms,
        labelledPixels: labelled,
      };
      options.onProgress?.(progress);
      if (options.onCheckpoint && options.checkpointEvery && completed % options.checkpointEvery === 0) {
        await options.onCheckpoint(progress, snapshot);
      }
      // Let timers and abort events run between steps (data() alone may resolve as a microtask).
      await tf.nextFrame();
    }
    if (options.returnState && completed > first) state = await snapshot();
  } finally {
    stepper.dispose();
  }
  const ran = completed - first;
  const msPerStep = ran > 1 ? timeAfterFirst / (ran - 1) : Date.now() - started;
  return { steps: completed, aborted, finalLoss, smoothedLoss: smoothed, msPerStep, tileSize, outputTileSize: outTile, ...(state !== undefined ? { state } : {}) };
}

function withBoundaryIfAsked(prepared: PreparedSample, sample: TrainingSample, boundary: boolean): PreparedSample {
  if (!boundary) return prepared;
  if (sample.instances === undefined) throw new Error(`${prepared.name}: a boundary class needs instance labels`);
  return { ...prepared, labels: withBoundaryClass(prepared.labels, sample.instances, prepared.width, prepared.height) };
}
