/**
 * One optimiser step, optionally with a smaller learning rate on the contracting path (encoder).
 *
 * A per-layer learning rate cannot be had by scaling gradients when the optimiser is Adam: Adam divides
 * the first moment by the square root of the second, so a gradient scaled by s gives the same update.
 * Instead the encoder's variables get an optimiser of their own whose learning rate is `encoderLrScale`
 * times the rest's; that scales the update for Adam and SGD alike. Scale 0 freezes the encoder (its
 * gradients are not even applied); scale 1 is one optimiser over all variables, exactly as before.
 */
import * as tf from '@tensorflow/tfjs';
import type { Segmenter } from './types';

/** Optimiser settings of a run. */
export interface StepperOptions {
  readonly optimizer: 'adam' | 'sgd';
  readonly learningRate: number;
  /** SGD momentum (default 0.99, the paper's). */
  readonly momentum?: number;
  /** Learning-rate multiplier of the contracting path (default 1). */
  readonly encoderLrScale?: number;
}

/** One saved optimiser tensor (an iteration count, a first or second moment, a momentum). */
export interface SavedTensor {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/**
 * The optimisers' whole state (Adam's iteration count and moments; SGD's momenta), as plain arrays, so a run
 * stopped at a checkpoint continues as if it had not stopped. One group per optimiser: the rest, then the
 * encoder's when it has its own; each group in tfjs's getWeights() order (iterations first, then per
 * variable in model order). Variables are matched by position, which is what tfjs's optimisers do too.
 */
export interface OptimizerState {
  readonly optimizer: 'adam' | 'sgd';
  readonly groups: readonly (readonly SavedTensor[])[];
}

/** Runs optimiser steps on a segmenter's trainable variables. */
export interface Stepper {
  setLearningRate(lr: number): void;
  /** Minimises `loss` by one step and returns its value (the caller disposes it). Call inside tf.tidy. */
  step(loss: () => tf.Scalar): tf.Scalar;
  /** A copy of the optimisers' state. */
  saveState(): Promise<OptimizerState>;
  /** Replaces the optimisers' state with `state` (taken by saveState of a stepper of the same kind). */
  loadState(state: OptimizerState): Promise<void>;
  dispose(): void;
}

async function saveGroup(optimizer: tf.Optimizer): Promise<SavedTensor[]> {
  const named = await optimizer.getWeights();
  const saved: SavedTensor[] = [];
  for (const { tensor } of named) saved.push({ shape: tensor.shape, values: Float32Array.from(await tensor.data()) });
  // getWeights returns the live moments plus one fresh iteration scalar; only that scalar is ours to free.
  named[0]?.tensor.dispose();
  return saved;
}

async function loadGroup(optimizer: tf.Optimizer, group: readonly SavedTensor[], expected: readonly tf.Variable[]): Promise<void> {
  const perVariable = (group.length - 1) / Math.max(1, expected.length);
  if (group.length < 1 || !Number.isInteger(perVariable) || perVariable < 1) {
    throw new Error(`the saved optimiser state holds ${group.length} tensors, which does not fit ${expected.length} variables`);
  }
  for (let k = 1; k < group.length; k++) {
    const want = expected[(k - 1) % expected.length].shape;
    if (group[k].shape.join('x') !== want.join('x')) {
      throw new Error(`the saved optimiser state does not fit this model: tensor ${k} is ${group[k].shape.join('x')}, the variable is ${want.join('x')}`);
    }
  }
  const tensors = group.map((t, k) => ({ name: `state_${k}`, tensor: k === 0 ? tf.scalar(t.values[0], 'int32') : tf.tensor(t.values, [...t.shape]) }));
  try {
    await optimizer.setWeights(tensors);
  } finally {
    // setWeights copies the moments into variables of its own.
    for (const t of tensors) t.tensor.dispose();
  }
}

interface OptimizerHandle {
  readonly optimizer: tf.Optimizer;
  setLearningRate(lr: number): void;
  dispose(): void;
}

function makeOptimizer(kind: 'adam' | 'sgd', lr: number, momentum: number): OptimizerHandle {
  if (kind === 'sgd') {
    const sgd = tf.train.momentum(lr, momentum);
    return {
      optimizer: sgd,
      setLearningRate: (v) => sgd.setLearningRate(v),
      dispose: () => {
        sgd.dispose();
        // MomentumOptimizer.dispose (tfjs 4.22) forgets the -learningRate scalar its SGD base keeps.
        (sgd as unknown as { c?: tf.Tensor }).c?.dispose();
      },
    };
  }
  const adam = tf.train.adam(lr);
  // AdamOptimizer reads this.learningRate on every step but declares it protected and has no setter.
  const mutable = adam as unknown as { learningRate: number };
  return { optimizer: adam, setLearningRate: (v) => (mutable.learningRate = v), dispose: () => adam.dispose() };
}

/** Layers of the contracting path (unet.ts names them down{k}_* and bottom_*). */
export function isEncoderLayer(name: string): boolean {
  return /^(down\d+_|bottom_)/.test(name);
}

/** The segmenter's trainable variables, split into contracting path and the rest, in model order. */
export function splitVariables(segmenter: Segmenter): { encoder: tf.Variable[]; rest: tf.Variable[] } {
  const encoder: tf.Variable[] = [];
  const rest: tf.Variable[] = [];
  for (const layer of segmenter.model.layers) {
    for (const w of layer.trainableWeights) (isEncoderLayer(layer.name) ? encoder : rest).push(w.read() as tf.Variable);
  }
  return { encoder, rest };
}

/** Creates the optimiser(s) for a run. */
export function createStepper(segmenter: Segmenter, options: StepperOptions): Stepper {
  const scale = options.encoderLrScale ?? 1;
  if (!(scale >= 0 && scale <= 1)) throw new RangeError(`encoderLrScale must be in [0, 1], got ${scale}`);
  const momentum = options.momentum ?? 0.99;
  const { encoder, rest } = splitVariables(segmenter);
  const all = [...encoder, ...rest];
  const main = makeOptimizer(options.optimizer, options.learningRate, momentum);
  const enc = scale > 0 && scale < 1 ? makeOptimizer(options.optimizer, options.learningRate * scale, momentum) : null;
  // The variables each optimiser updates, in the order it keeps their state.
  const mainVars = scale === 1 ? all : rest;
  const saveState = async (): Promise<OptimizerState> => ({
    optimizer: options.optimizer,
    groups: enc === null ? [await saveGroup(main.optimizer)] : [await saveGroup(main.optimizer), await saveGroup(enc.optimizer)],
  });
  const loadState = async (state: OptimizerState): Promise<void> => {
    const groups = enc === null ? 1 : 2;
    if (state.optimizer !== options.optimizer || state.groups.length !== groups) {
      throw new Error(`the saved optimiser state is for ${state.groups.length} ${state.optimizer} optimiser(s); this run has ${groups} ${options.optimizer}`);
    }
    await loadGroup(main.optimizer, state.groups[0], mainVars);
    if (enc !== null) await loadGroup(enc.optimizer, state.groups[1], encoder);
  };
  if (scale === 1) {
    return {
      setLearningRate: (lr) => main.setLearningRate(lr),
      step(loss) {
        const value = main.optimizer.minimize(loss, true, all);
        if (value === null) throw new Error('internal: optimizer returned no loss');
        return value;
      },
      saveState,
      loadState,
      dispose: () => main.dispose(),
    };
  }
  const names = (vars: tf.Variable[]): Set<string> => new Set(vars.map((v) => v.name));
  const encoderNames = names(encoder);
  return {
    setLearningRate(lr) {
      main.setLearningRate(lr);
      enc?.setLearningRate(lr * scale);
    },
    step(loss) {
      // A frozen encoder needs no gradients at all: differentiate only with respect to the rest.
      const { value, grads } = tf.variableGrads(loss, enc === null ? rest : all);
      const encoderGrads: tf.NamedTensorMap = {};
      const restGrads: tf.NamedTensorMap = {};
      for (const [name, g] of Object.entries(grads)) (encoderNames.has(name) ? encoderGrads : restGrads)[name] = g;
      main.optimizer.applyGradients(restGrads);
      if (enc !== null) enc.optimizer.applyGradients(encoderGrads);
      tf.dispose(grads);
      return value;
    },
    saveState,
    loadState,
    dispose() {
      main.dispose();
      enc?.dispose();
    },
  };
}
