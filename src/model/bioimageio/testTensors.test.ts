import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelCard } from '../io';
import type { ModelCard, Segmenter, UnetConfig } from '../types';
import { createUnet } from '../unet';
import { contextMargin, isLegalInputSize, sizeStep } from '../validSize';
import { makeTestTensors, testInputSide } from './testTensors';

const config: UnetConfig = { depth: 2, baseFilters: 4, inChannels: 1, classes: 3, dropout: 0, padding: 'valid', seed: 5 };
let segmenter: Segmenter;
let card: ModelCard;

beforeAll(async () => {
  await tf.setBackend('cpu');
  segmenter = createUnet(config);
  card = createModelCard(segmenter, { name: 'three', task: 'generic', description: '', foregroundClass: 2 });
});
afterAll(() => segmenter.dispose());

describe('testInputSide', () => {
  it('is the largest legal side with at most maxOutput exact output pixels', () => {
    for (const c of [config, { ...config, depth: 4 }, { ...config, padding: 'same' as const }]) {
      for (const maxOutput of [16, 64, 100]) {
        const side = testInputSide(c, maxOutput);
        expect(isLegalInputSize(c, side)).toBe(true);
        const out = side - 2 * contextMargin(c);
        expect(out).toBeGreaterThanOrEqual(1);
        // Either within the wish, or the smallest legal side when even that is larger.
        if (out > maxOutput) expect(testInputSide(c, 1)).toBe(side);
        else expect(side + sizeStep(c) - 2 * contextMargin(c)).toBeGreaterThan(maxOutput);
      }
    }
  });
});

describe('makeTestTensors', () => {
  it('takes the window where the image has structure and returns raw input, softmax output and cover planes', () => {
    const width = 300;
    const height = 260;
    const data = new Float32Array(width * height).fill(10);
    for (let y = 200; y < 240; y++) for (let x = 230; x < 270; x++) data[y * width + x] = ((x + y) % 7) * 30 + 50;
    const before = tf.memory().numTensors;
    const t = makeTestTensors(segmenter, card, { width, height, data });
    expect(tf.memory().numTensors).toBe(before);

    const side = t.input.shape[1];
    expect(t.input.shape).toEqual([1, side, side, 1]);
    expect(Math.max(...t.input.data)).toBe(230); // raw values, from the busy corner
    const out = side - 2 * contextMargin(config);
    expect(t.output.shape).toEqual([1, out, out, 3]);
    for (let p = 0; p < out * out; p++) {
      const sum = t.output.data[3 * p] + t.output.data[3 * p + 1] + t.output.data[3 * p + 2];
      expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
    }
    expect(t.coverForeground.width).toBe(out);
    expect(t.coverForeground.data[0]).toBe(t.output.data[2]); // class 2 is the foreground
    expect(t.coverImage.width).toBe(out);
  });

  it('refuses a plane count that differs from the input channels', () => {
    const plane = { width: 8, height: 8, data: new Float32Array(64) };
    expect(() => makeTestTensors(segmenter, card, [plane, plane, plane])).toThrow(/takes 1 channel\(s\), got 3/);
  });
});
