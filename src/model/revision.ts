import { strToU8 } from 'fflate';
import type { Segmenter, UnetConfig } from './types';
import { sha256Hex } from './sha256';

/**
 * The weights revision of a model: a content hash of its architecture and weights. It keys every cached
 * result (a prediction is a function of the image and of exactly these numbers), so two models with the
 * same weights share results and a model whose weights changed by one value never reuses a stale one.
 * Names, dates and step counts are left out on purpose: a renamed or duplicated model is the same revision.
 */

/** One weight tensor read back to the CPU, in the model's weight order. */
export interface WeightValues {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** SHA-256 (hex) of the architecture, the shapes and the float32 bytes of every weight, in order. */
export async function weightsRevision(config: UnetConfig, weights: readonly WeightValues[]): Promise<string> {
  // Only what changes the output, in a fixed order (the seed only initialises; dropout is off at inference).
  const { depth, baseFilters, inChannels, classes, padding } = config;
  const header = strToU8(JSON.stringify([depth, baseFilters, inChannels, classes, padding, weights.map((w) => w.shape)]));
  const total = header.length + weights.reduce((n, w) => n + w.data.byteLength, 0);
  const bytes = new Uint8Array(total);
  bytes.set(header, 0);
  let offset = header.length;
  for (const w of weights) {
    bytes.set(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength), offset);
    offset += w.data.byteLength;
  }
  return sha256Hex(bytes);
}

/** The revision of a loaded segmenter (reads its weights asynchronously; no tensor is left behind). */
export async function segmenterRevision(segmenter: Segmenter): Promise<string> {
  const weights: WeightValues[] = [];
  for (const w of segmenter.model.getWeights()) weights.push({ shape: w.shape, data: (await w.data()) as Float32Array });
  return weightsRevision(segmenter.config, weights);
}
