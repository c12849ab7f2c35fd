import * as tf from '@tensorflow/tfjs';
import { normalizePlane } from '../../image/normalize';
import type { FloatPlane } from '../../image/types';
import { extractMirroredWindow } from '../mirror';
import type { ModelCard, Segmenter } from '../types';
import { contextMargin, minTileInputSize, nearestLegalInputSize, outputCrop } from '../validSize';
import type { NpyArray } from './npy';

/*
 * The test tensors of a bioimage.io package: a square window of a real image (raw values, before our
 * normalisation: bioimage.io consumers apply the rdf's preprocessing themselves) and the model's output
 * on it, computed in one forward pass with the same normalisation the app uses. Both in NHWC, the
 * layout of the tfjs weights.
 */

/** Test tensors plus the planes the cover image shows. */
export interface TestTensors {
  /** Raw input [1, side, side, inChannels]. */
  readonly input: NpyArray;
  /** Softmax output [1, outSide, outSide, classes]. */
  readonly output: NpyArray;
  /** First normalised input channel over the exact output pixels (for the cover). */
  readonly coverImage: FloatPlane;
  /** Foreground probability over the same pixels. */
  readonly coverForeground: FloatPlane;
}

/** Options of makeTestTensors. */
export interface TestTensorOptions {
  /** Largest exact output side wanted (default 64: a small file that still shows structure). */
  readonly maxOutput?: number;
}

/** The legal input side of the test window: the largest with at most `maxOutput` exact output pixels. */
export function testInputSide(config: ModelCard['architecture'], maxOutput = 64): number {
  const below = nearestLegalInputSize(config, 2 * contextMargin(config) + maxOutput, 'down');
  return Math.max(minTileInputSize(config), below ?? 0);
}

function crop(data: Float32Array, side: number, channels: number, channel: number, border: number): FloatPlane {
  const out = side - 2 * border;
  const plane = new Float32Array(out * out);
  for (let y = 0; y < out; y++) {
    for (let x = 0; x < out; x++) plane[y * out + x] = data[((y + border) * side + x + border) * channels + channel];
  }
  return { width: out, height: out, data: plane };
}

/** Variance of the values in [y0, y0 + n) x [x0, x0 + n), clipped to the plane. */
function windowVariance(plane: FloatPlane, y0: number, x0: number, n: number): number {
  let sum = 0;
  let sumSq = 0;
  let count = 0;
  for (let y = Math.max(0, y0); y < Math.min(plane.height, y0 + n); y++) {
    for (let x = Math.max(0, x0); x < Math.min(plane.width, x0 + n); x++) {
      const v = plane.data[y * plane.width + x];
      sum += v;
      sumSq += v * v;
      count++;
    }
  }
  return count === 0 ? 0 : sumSq / count - (sum / count) ** 2;
}

/**
 * Top-left corner of the test window: among windows on a half-window grid (centred when the image is
 * smaller than the window), the one whose output region varies most, so that the test tensors and the
 * cover show structure rather than empty background.
 */
function busiestWindow(plane: FloatPlane, side: number, outSide: number): [number, number] {
  const starts = (length: number): number[] => {
    if (length <= side) return [Math.floor((length - side) / 2)];
    const stride = Math.max(1, Math.floor(side / 2));
    const out: number[] = [];
    for (let s = 0; s + side <= length; s += stride) out.push(s);
    if (out[out.length - 1] + side < length) out.push(length - side);
    return out;
  };
  const border = Math.floor((side - Math.max(1, outSide)) / 2);
  let best: [number, number] = [0, 0];
  let bestScore = -1;
  for (const y0 of starts(plane.height)) {
    for (const x0 of starts(plane.width)) {
      const score = windowVariance(plane, y0 + border, x0 + border, side - 2 * border);
      if (score > bestScore) {
        bestScore = score;
        best = [y0, x0];
      }
    }
  }
  return best;
}

/**
 * Cuts a window of legal size from `raw` (one plane per input channel; mirrored where the image is
 * smaller than the window; where it is larger, the busiest window), normalises it as the app does and
 * runs the model on it.
 */
export function makeTestTensors(
  segmenter: Segmenter,
  card: ModelCard,
  raw: FloatPlane | readonly FloatPlane[],
  options: TestTensorOptions = {},
): TestTensors {
  const planes = Array.isArray(raw) ? (raw as readonly FloatPlane[]) : [raw as FloatPlane];
  const config = segmenter.config;
  if (planes.length !== config.inChannels) {
    throw new Error(`bioimage.io test tensors: the model takes ${config.inChannels} channel(s), got ${planes.length} plane(s)`);
  }
  const side = testInputSide(config, options.maxOutput);
  const [y0, x0] = busiestWindow(planes[0], side, side - 2 * contextMargin(config));
  const c = config.inChannels;
  const rawWindow = extractMirroredWindow(planes, y0, x0, side, side);
  // Percentiles are taken per channel over the window itself, as the rdf's scale_range (axes y, x) does.
  const normalised = new Float32Array(rawWindow.length);
  for (let ch = 0; ch < c; ch++) {
    const plane = crop(rawWindow, side, c, ch, 0);
    const norm = normalizePlane(plane, card.normalization).data;
    for (let i = 0; i < norm.length; i++) normalised[i * c + ch] = norm[i];
  }
  const probs = tf.tidy(() => segmenter.predictTile(tf.tensor4d(normalised, [1, side, side, c])));
  const [, outH, outW, classes] = probs.shape;
  const outData = probs.dataSync() as Float32Array;
  probs.dispose();

  const border = outputCrop(config); // 'same': the halo whose pixels saw zero padding
  const inputBorder = (side - outH) / 2 + border;
  return {
    input: { data: rawWindow, shape: [1, side, side, c] },
    output: { data: Float32Array.from(outData), shape: [1, outH, outW, classes] },
    coverImage: crop(normalised, side, c, 0, inputBorder),
    coverForeground: crop(outData, outH, classes, card.foregroundClass, border),
  };
}
