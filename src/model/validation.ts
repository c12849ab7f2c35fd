/**
 * Scoring a model on held-out labels (validation during fine-tuning). Held-out strokes usually cover a
 * small part of a large image, so only the overlap tiles whose output windows contain held-out pixels
 * are run, each with its mirrored context exactly as segmentPlane runs it: the probabilities are those
 * of inference on the whole image, at a fraction of the cost. The tile size is chosen per image to
 * compute the fewest input pixels within the memory budget.
 */
import * as tf from '@tensorflow/tfjs';
import type { FloatPlane } from '../image/types';
import { estimateForwardBytes } from './memoryBudget';
import { extractMirroredWindow } from './mirror';
import type { ValidationScore } from './fineTuneTypes';
import { legalTileOutputAtLeast, planShape, planTiles } from './tiling';
import type { Segmenter, UnetConfig } from './types';
import { outputCrop, sizeStep } from './validSize';

/** One forward pass of validation: where its input lies and which of its output pixels are scored. */
interface ValidationTile {
  readonly inY: number;
  readonly inX: number;
  /** Indices into the network output (row-major over netH x netW) of the scored pixels. */
  readonly pixels: Int32Array;
  /** Class index of each scored pixel (label 1 -> 0, label 2 -> 1). */
  readonly targets: Uint8Array;
}

interface SampleValidation {
  readonly image: FloatPlane;
  readonly inputHeight: number;
  readonly inputWidth: number;
  readonly netHeight: number;
  readonly netWidth: number;
  readonly tiles: readonly ValidationTile[];
}

/** The held-out pixels of a set of images, planned into tiles. */
export interface ValidationPlan {
  readonly samples: readonly SampleValidation[];
  /** Held-out labelled pixels in all. */
  readonly pixels: number;
  /** Input pixels one validation computes (the cost). */
  readonly inputPixels: number;
  /** The classes a held-out foreground pixel may be (see paintedForegroundClasses); the rest are background. */
  readonly foreground: readonly number[];
}

/** An image with optional held-out labels (0 none, 1 background, 2 foreground). */
export interface ValidationSource {
  readonly image: FloatPlane;
  readonly validation?: Uint8Array;
}

/** Tile output side that computes the fewest input pixels to cover the held-out pixels of one image. */
function cheapestTileOutput(config: UnetConfig, width: number, height: number, heldOut: Int32Array, budgetBytes: number): number {
  const step = sizeStep(config);
  const smallest = legalTileOutputAtLeast(config, step);
  const largest = Math.max(smallest, legalTileOutputAtLeast(config, Math.max(width, height)));
  let best = smallest;
  let bestCost = Infinity;
  for (let out = smallest; out <= largest; out += step) {
    const shape = planShape(config, height, width, out);
    if (estimateForwardBytes(config, shape.inputHeight, shape.inputWidth).peakBytes > budgetBytes && out > smallest) break;
    const used = new Set<number>();
    for (const i of heldOut) used.add(Math.floor(Math.floor(i / width) / shape.strideY) * shape.cols + Math.floor((i % width) / shape.strideX));
    const cost = used.size * shape.inputHeight * shape.inputWidth;
    if (cost <= bestCost) {
      bestCost = cost;
      best = out;
    }
  }
  return best;
}

/**
 * Plans the validation of `sources` (those without held-out pixels are skipped). Returns null when no
 * image has a held-out pixel. `foreground`: the classes a painted foreground pixel may be (default [1]).
 */
export function planValidation(
  config: UnetConfig,
  sources: readonly ValidationSource[],
  budgetBytes: number,
  foreground: readonly number[] = [1],
): ValidationPlan | null {
  const samples: SampleValidation[] = [];
  let pixels = 0;
  let inputPixels = 0;
  for (const { image, validation } of sources) {
    if (validation === undefined) continue;
    const { width, height } = image;
    if (validation.length !== width * height) throw new RangeError(`held-out labels have ${validation.length} values, expected ${width}x${height}`);
    const heldOut: number[] = [];
    for (let i = 0; i < validation.length; i++) if (validation[i] === 1 || validation[i] === 2) heldOut.push(i);
    if (heldOut.length === 0) continue;
    const indices = Int32Array.from(heldOut);
    const plan = planTiles(config, height, width, cheapestTileOutput(config, width, height, indices, budgetBytes));
    const crop = outputCrop(config);
    const netHeight = plan.outputHeight + 2 * crop;
    const netWidth = plan.outputWidth + 2 * crop;
    const perTile = new Map<number, number[]>();
    for (const i of indices) {
      const t = Math.floor(Math.floor(i / width) / plan.strideY) * plan.cols + Math.floor((i % width) / plan.strideX);
      const list = perTile.get(t) ?? [];
      list.push(i);
      perTile.set(t, list);
    }
    const tiles: ValidationTile[] = [];
    for (const [t, list] of perTile) {
      const tile = plan.tiles[t];
      const at = new Int32Array(list.length);
      const targets = new Uint8Array(list.length);
      list.forEach((i, k) => {
        const y = Math.floor(i / width) - tile.outY + tile.srcY;
        const x = (i % width) - tile.outX + tile.srcX;
        at[k] = y * netWidth + x;
        targets[k] = validation[i] === 2 ? 1 : 0;
      });
      tiles.push({ inY: tile.inY, inX: tile.inX, pixels: at, targets });
    }
    samples.push({ image, inputHeight: plan.inputHeight, inputWidth: plan.inputWidth, netHeight, netWidth, tiles });
    pixels += indices.length;
    inputPixels += tiles.length * plan.inputHeight * plan.inputWidth;
  }
  return samples.length === 0 ? null : { samples, pixels, inputPixels, foreground: [...foreground] };
}

/**
 * Scores the segmenter's current weights on the planned held-out pixels: mean cross-entropy of the
 * softmax output (probabilities clamped at 1e-7), share of pixels whose more likely side (foreground,
 * background) is right, and IoU of the foreground over the held-out pixels (1 when neither truth nor
 * prediction has any). The foreground is the sum of the plan's foreground classes (for a 2-class model
 * class 1, so "more likely side" is the argmax class).
 */
export async function scoreValidation(segmenter: Segmenter, plan: ValidationPlan): Promise<ValidationScore> {
  const classes = segmenter.config.classes;
  const inForeground = Array.from({ length: classes }, (_, c) => plan.foreground.includes(c));
  let loss = 0;
  let correct = 0;
  let intersection = 0;
  let union = 0;
  for (const s of plan.samples) {
    for (const tile of s.tiles) {
      const input = extractMirroredWindow([s.image], tile.inY, tile.inX, s.inputHeight, s.inputWidth);
      const x = tf.tensor4d(input, [1, s.inputHeight, s.inputWidth, 1]);
      let probs: tf.Tensor4D | null = null;
      let values: Float32Array;
      try {
        probs = segmenter.predictTile(x);
        values = (await probs.data()) as Float32Array;
      } finally {
        x.dispose();
        probs?.dispose();
      }
      for (let k = 0; k < tile.pixels.length; k++) {
        const base = tile.pixels[k] * classes;
        let fg = 0;
        let bg = 0;
        for (let c = 0; c < classes; c++) {
          if (inForeground[c]) fg += values[base + c];
          else bg += values[base + c];
        }
        const truthFg = tile.targets[k] === 1;
        const predFg = fg > bg;
        loss -= Math.log(Math.max(truthFg ? fg : bg, 1e-7));
        if (predFg === truthFg) correct++;
        if (truthFg && predFg) intersection++;
        if (truthFg || predFg) union++;
      }
    }
  }
  const n = plan.pixels;
  return { loss: loss / n, pixelAccuracy: correct / n, foregroundIou: union === 0 ? 1 : intersection / union, pixels: n };
}

/**
 * Whether `candidate` is better than `best`: lower validation loss and no lower pixel accuracy. The loss
 * is the smooth, proper score that sees a probability map drifting towards 0.5 long before pixels flip;
 * requiring the accuracy not to drop as well means that the mask the user sees (argmax) is never worse
 * on the held-out labels than the weights it replaces. Equal scores are not better, so weights that
 * changed nothing do not replace the starting model.
 */
export function isBetter(candidate: ValidationScore, best: ValidationScore): boolean {
  return candidate.loss < best.loss && candidate.pixelAccuracy >= best.pixelAccuracy;
}
