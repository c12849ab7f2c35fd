import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { flopsForImage, flopsPer512, flopsPerForward } from './flops';
import type { UnetConfig } from './types';
import { createUnet } from './unet';
import { inputSizeForOutput } from './validSize';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('FLOPs', () => {
  it('matches a count from the built model: its kernels and the output shapes tfjs computes', () => {
    const config: UnetConfig = { depth: 2, baseFilters: 3, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 1 };
    const s = createUnet(config);
    const [h, w] = [60, 76];
    const layers = s.model.layers.slice(1);
    const probe = tf.model({ inputs: s.model.inputs, outputs: layers.map((l) => l.output as tf.SymbolicTensor) });
    const shapes = tf.tidy(() => (probe.predict(tf.zeros([1, h, w, 1])) as tf.Tensor[]).map((t) => t.shape));
    let expected = 0;
    layers.forEach((layer, i) => {
      const out = shapes[i].slice(1).reduce((a, b) => a * b, 1);
      const type = layer.getClassName();
      const kernel = layer.getWeights()[0]?.shape as number[] | undefined;
      if (type === 'Conv2D' && kernel) {
        expected += out * 2 * kernel[0] * kernel[1] * kernel[2] + out * (layer.name === 'logits' ? 1 : 2);
      } else if (type === 'Conv2DTranspose' && kernel) {
        // kernel [2, 2, cout, cin] with stride 2: one tap per input channel reaches each output value.
        expected += out * (2 * kernel[3] + 1);
      } else if (type === 'MaxPooling2D') {
        expected += out * 3;
      } else if (type === 'Softmax') {
        expected += out * 5;
      }
    });
    expect(flopsPerForward(config, h, w)).toBe(expected);
    expect(flopsPerForward(config, h, w, 3)).toBe(3 * expected);
    s.dispose();
  });

  it('counts tiles, margins included, and states the per-512 figure of the paper network', () => {
    const paper: UnetConfig = { depth: 4, baseFilters: 64, inChannels: 1, classes: 2, dropout: 0.5, padding: 'valid' };
    const one = flopsPerForward(paper, 572, 572);
    expect(one).toBeGreaterThan(1e11); // ~ 1.5e11 FLOPs per 572x572 tile
    expect(flopsForImage(paper, 388 * 2 - 4, 388, 388)).toBeGreaterThanOrEqual(2 * one);
    const n512 = inputSizeForOutput(paper, 516);
    expect(flopsPer512(paper)).toBe(flopsPerForward(paper, n512, n512));
  });
});
