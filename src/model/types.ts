import type * as tf from '@tensorflow/tfjs';
import type { NormalizationSpec } from '../image/normalize';
import type { PostProcessing } from '../image/postProcessing';
import type { TrainingRecipe } from './recipe';

/** Architecture of a U-Net (Ronneberger et al. 2015). */
export interface UnetConfig {
  /** Number of 2x2 max-pool steps in the contracting path (paper: 4). */
  readonly depth: number;
  /** Filters of the first level; doubled at every level down (paper: 64). */
  readonly baseFilters: number;
  /** Input channels: 1 (grey) or 3 (RGB). */
  readonly inChannels: 1 | 3;
  /** Output classes of the final 1x1 conv + softmax (2 = background / foreground). */
  readonly classes: number;
  /** Dropout rate at the end of the contracting path (0 disables it). */
  readonly dropout: number;
  /** 'valid' (the paper's, output smaller than input) or 'same'. */
  readonly padding: 'valid' | 'same';
  /** Seed of the He-normal initialisers, so a fresh model is reproducible. */
  readonly seed?: number;
}

/** A U-Net that maps NHWC input tiles to NHWC per-class softmax probabilities. */
export interface Segmenter {
  readonly config: UnetConfig;
  /** The underlying tfjs layers model (trainable; saved in the tfjs layers format). */
  readonly model: tf.LayersModel;
  /**
   * One forward pass in inference mode. Input [n, h, w, inChannels] with h, w legal input sizes;
   * output [n, h', w', classes] softmax probabilities (h' = h - 2 * margin for 'valid').
   */
  predictTile(input: tf.Tensor4D): tf.Tensor4D;
  /** Human-readable layer table and parameter count. */
  summary(): string;
  dispose(): void;
}

/** Metadata saved as model-card.json beside model.json. */
export interface ModelCard {
  readonly name: string;
  readonly task: 'nuclei' | 'membranes' | 'generic';
  readonly description: string;
  readonly architecture: UnetConfig;
  readonly normalization: NormalizationSpec;
  /** Index of the class whose probability is the foreground map (nuclei: the nucleus; EM: the membrane). */
  readonly foregroundClass: number;
  /**
   * When present, the foreground map is sum_c classWeights[c] * p_c instead of p_foregroundClass: a
   * boundary-class nuclei model (`train --boundary-class`) has [0, 1, 0.5], so interiors read 1, their
   * boundaries 0.5 and the background 0, and the usual objects (threshold, distance watershed) apply.
   */
  readonly classWeights?: readonly number[];
  readonly createdAt: string;
  readonly trainedSteps: number;
  readonly training?: {
    readonly command: string;
    readonly seed: number;
    readonly data: string;
    readonly licence: string;
    readonly citation: string;
  };
  /** Held-out metrics, as `npm run evaluate` prints them. */
  readonly metrics?: Readonly<Record<string, number>>;
  readonly heldOut?: string;
  readonly flopsPer512?: number;
  readonly parameters?: number;
  /**
   * How the model was trained and how to fine-tune it (loss, augmentation, fine-tune defaults). Cards
   * without one get the default of their task (resolveRecipe in recipeDefaults.ts).
   */
  readonly recipe?: TrainingRecipe;
  /**
   * How probabilities become objects for this model (threshold, smoothing, holes, splitting, min size);
   * absent = the default of its kind (src/image/postProcessing.ts). segment and evaluate start from it.
   */
  readonly postProcessing?: PostProcessing;
  /**
   * Typical object diameter (px) of the training labels (src/image/objectDiameter.ts; `npm run
   * diameter`). New images are rescaled so their objects match it (src/model/objectScale.ts).
   */
  readonly objectDiameter?: number;
  /** Whether tools rescale new images to objectDiameter by default ('auto') or not ('off'; absent = 'off'). */
  readonly rescale?: 'auto' | 'off';
}

/**
 * One kernel of a `tf.profile` run, as much of it as a benchmark needs to classify it (the worker's
 * `benchmarkModel` returns these; bench/trainProfileBrowser.ts groups them with bench/profileKernels.ts).
 */
export interface ProfiledKernel {
  readonly name: string;
  readonly inputShapes: readonly (readonly number[] | null)[];
  readonly outShape: readonly number[];
  readonly ms: number;
}
