import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { logitsFunction } from './gradientCheck';
import { weightedSoftmaxCrossEntropy } from './loss';
import { createStepper, splitVariables } from './trainingStep';
import { createUnet } from './unet';
import { outputSize } from './validSize';

const config = { depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 4 } as const;

/** Weight change of each variable after one step with the given encoder scale, from the same start. */
function deltasAfterStep(optimizer: 'adam' | 'sgd', encoderLrScale: number): { encoder: number[]; rest: number[] } {
  const net = createUnet(config);
  const { encoder, rest } = splitVariables(net);
  const before = [...encoder, ...rest].map((v) => Float32Array.from(v.dataSync()));
  const stepper = createStepper(net, { optimizer, learningRate: 1e-3, encoderLrScale, momentum: 0.9 });
  const logits = logitsFunction(net);
  const n = 60;
  const o = outputSize(config, n);
  tf.tidy(() => {
    const x = tf.randomNormal([1, n, n, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
    const t = tf.cast(tf.greater(tf.slice(x, [0, 16, 16, 0], [1, o, o, 1]).reshape([1, o, o]), 0), 'int32') as tf.Tensor3D;
    stepper.step(() => weightedSoftmaxCrossEntropy(logits(x, true), t, tf.ones([1, o, o])));
  });
  const after = [...encoder, ...rest].map((v) => Float32Array.from(v.dataSync()));
  const delta = before.map((b, i) => Math.sqrt(b.reduce((s, v, j) => s + (after[i][j] - v) ** 2, 0)));
  stepper.dispose();
  net.dispose();
  return { encoder: delta.slice(0, encoder.length), rest: delta.slice(encoder.length) };
}

describe('createStepper', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('splits the contracting path (down*, bottom*) from the rest', () => {
    const net = createUnet(config);
    const { encoder, rest } = splitVariables(net);
    // Depth 2: 3 levels x 2 convs x (kernel, bias) in the encoder.
    expect(encoder.length).toBe(12);
    expect(rest.length).toBe(net.model.trainableWeights.length - 12);
    net.dispose();
  });

  for (const optimizer of ['adam', 'sgd'] as const) {
    it(`scales the encoder's update, not just its gradient (${optimizer})`, () => {
      const before = tf.memory().numTensors;
      const full = deltasAfterStep(optimizer, 1);
      const tenth = deltasAfterStep(optimizer, 0.1);
      const frozen = deltasAfterStep(optimizer, 0);
      full.encoder.forEach((d, i) => {
        expect(d).toBeGreaterThan(0);
        // Adam's first step moves each weight by ~lr * sign(g), whatever the gradient's scale: only a
        // scaled learning rate gives a 10x smaller update.
        expect(tenth.encoder[i] / d).toBeCloseTo(0.1, 3);
        expect(frozen.encoder[i]).toBe(0);
      });
      // The rest of the network takes the same step in all three runs.
      full.rest.forEach((d, i) => {
        expect(tenth.rest[i]).toBeCloseTo(d, 6);
        expect(frozen.rest[i]).toBeCloseTo(d, 6);
      });
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
