import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createUnet } from './unet';
import { weightedGroupCrossEntropy, weightedSoftmaxCrossEntropy } from './loss';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('weightedSoftmaxCrossEntropy', () => {
  it('equals a hand-computed value on a 3x3 example', () => {
    const logits = [
      [2, 0], [0, 1], [1, 1],
      [0, 3], [-1, 0], [0.5, 0],
      [0, 0], [2, -2], [1, 2],
    ];
    const targets = [0, 1, 0, 1, 0, 0, 1, 0, 1];
    const weights = [1, 2, 0, 1, 0.5, 3, 0, 1, 2];
    let num = 0;
    let den = 0;
    for (let i = 0; i < 9; i++) {
      const [a, b] = logits[i];
      const lse = Math.log(Math.exp(a) + Math.exp(b));
      num += weights[i] * (lse - logits[i][targets[i]]);
      den += weights[i];
    }
    const before = tf.memory().numTensors;
    const loss = tf.tidy(() =>
      weightedSoftmaxCrossEntropy(
        tf.tensor4d(logits.flat(), [1, 3, 3, 2]),
        tf.tensor3d(targets, [1, 3, 3], 'int32'),
        tf.tensor3d(weights, [1, 3, 3]),
      ),
    );
    expect(loss.dataSync()[0]).toBeCloseTo(num / den, 5);
    loss.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is 0 (not NaN) when nothing is labelled', () => {
    const loss = tf.tidy(() =>
      weightedSoftmaxCrossEntropy(tf.ones([1, 2, 2, 2]), tf.zeros([1, 2, 2], 'int32'), tf.zeros([1, 2, 2])),
    );
    expect(Math.abs(loss.dataSync()[0])).toBe(0);
    loss.dispose();
  });

  it('rejects mismatched shapes', () => {
    expect(() => weightedSoftmaxCrossEntropy(tf.ones([1, 2, 2, 2]), tf.zeros([1, 3, 2], 'int32'), tf.zeros([1, 2, 2]))).toThrow(/targets shape/);
  });

  it('has gradients that match central finite differences on a tiny U-Net', () => {
    const net = createUnet({ depth: 1, baseFilters: 2, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 9 });
    const size = 16;
    const input = tf.tidy(() => tf.randomUniform([1, size, size, 1], 0, 1, 'float32', 4));
    const probe = net.model.predict(input) as tf.Tensor4D;
    const [, oh, ow] = probe.shape;
    probe.dispose();
    const targets = tf.tidy(() => tf.randomUniform([1, oh, ow], 0, 2, 'int32', 5) as tf.Tensor3D);
    const weights = tf.tidy(() => tf.randomUniform([1, oh, ow], 0, 3, 'float32', 6) as tf.Tensor3D);
    const logitsModel = tf.model({ inputs: net.model.inputs, outputs: net.model.getLayer('logits').output as tf.SymbolicTensor });
    const lossFn = (): tf.Scalar =>
      tf.tidy(() => weightedSoftmaxCrossEntropy(logitsModel.apply(input) as tf.Tensor4D, targets, weights));
    const { grads } = tf.variableGrads(lossFn);
    const variable = net.model.getLayer('down0_conv1').getWeights()[0];
    const v = net.model.trainableWeights.find((w) => w.name.includes('down0_conv1') && w.shape.length === 4);
    expect(v).toBeDefined();
    const grad = grads[v!.originalName].dataSync();
    const base = variable.dataSync().slice();
    const eps = 1e-2;
    for (const k of [0, 5, 11, 17]) {
      const at = (delta: number): number => {
        const w = base.slice();
        w[k] += delta;
        v!.write(tf.tensor(w, variable.shape));
        const l = lossFn();
        const value = l.dataSync()[0];
        l.dispose();
        return value;
      };
      const fd = (at(eps) - at(-eps)) / (2 * eps);
      expect(Math.abs(fd - grad[k])).toBeLessThan(2e-3 + 2e-2 * Math.abs(grad[k]));
    }
    tf.dispose([input, targets, weights, ...Object.values(grads)]);
    net.dispose();
  });
});

describe('weightedGroupCrossEntropy', () => {
  // Logits (0, ln 2, ln 3): p = (1/6, 2/6, 3/6). Interior and boundary (1, 2) are the painted foreground.
  const pixel = [0, Math.log(2), Math.log(3)];

  it('charges a painted foreground pixel -log(p1 + p2) and a background one -log(p0), weighted', () => {
    const before = tf.memory().numTensors;
    const loss = tf.tidy(() =>
      weightedGroupCrossEntropy(
        tf.tensor4d([...pixel, ...pixel, ...pixel], [1, 1, 3, 3]),
        tf.tensor3d([1, 0, 1], [1, 1, 3], 'int32'),
        tf.tensor3d([1, 2, 0], [1, 1, 3]),
        [1, 2],
      ),
    );
    expect(loss.dataSync()[0]).toBeCloseTo((-Math.log(5 / 6) - 2 * Math.log(1 / 6)) / 3, 5);
    loss.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('has the gradient of -log(p1 + p2): both foreground logits pulled up in proportion to their share', () => {
    const logits = tf.tensor4d(pixel, [1, 1, 1, 3]);
    const targets = tf.tensor3d([1], [1, 1, 1], 'int32');
    const weights = tf.tensor3d([1], [1, 1, 1]);
    const g = tf.grad((z: tf.Tensor) => weightedGroupCrossEntropy(z as tf.Tensor4D, targets, weights, [1, 2]))(logits);
    // d/dz_c of -log(sum_F e^z) + log(sum e^z) = p_c - [c in F] e^z_c / sum_F e^z.
    const p = [1 / 6, 2 / 6, 3 / 6];
    const expected = [p[0], p[1] - 2 / 5, p[2] - 3 / 5];
    Array.from(g.dataSync()).forEach((v, c) => expect(v).toBeCloseTo(expected[c], 5));
    tf.dispose([logits, targets, weights, g]);
  });

  it('is the plain weighted cross-entropy for a 2-class model, and checks shapes', () => {
    const logits = tf.tensor4d([2, 0, 0, 1, -1, 3], [1, 1, 3, 2]);
    const targets = tf.tensor3d([0, 1, 1], [1, 1, 3], 'int32');
    const weights = tf.tensor3d([1, 2, 0.5], [1, 1, 3]);
    const a = tf.tidy(() => weightedGroupCrossEntropy(logits, targets, weights, [1]).dataSync()[0]);
    const b = tf.tidy(() => weightedSoftmaxCrossEntropy(logits, targets, weights).dataSync()[0]);
    expect(a).toBe(b);
    expect(() => weightedGroupCrossEntropy(tf.ones([1, 2, 2, 3]), tf.zeros([1, 3, 2], 'int32'), tf.zeros([1, 2, 2]), [1, 2])).toThrow(/targets shape/);
    tf.dispose([logits, targets, weights]);
  });
});
