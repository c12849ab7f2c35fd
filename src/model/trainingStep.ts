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

/** Runs optimiser steps on a segmenter's trainable variables. */
export interface Stepper {
  setLearningRate(lr: number): void;
  /** Minimises `loss` by one step and returns its value (the caller disposes it). Call inside tf.tidy. */
  step(loss: () => tf.Scalar): tf.Scalar;
  dispose(): void;
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
  if (scale === 1) {
    return {
      setLearningRate: (lr) => main.setLearningRate(lr),
      step(loss) {
        const value = main.optimizer.minimize(loss, true, all);
        if (value === null) throw new Error('internal: optimizer returned no loss');
        return value;
      },
      dispose: () => main.dispose(),
    };
  }
  const enc = scale > 0 ? makeOptimizer(options.optimizer, options.learningRate * scale, momentum) : null;
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
    dispose() {
      main.dispose();
      enc?.dispose();
    },
  };
}
