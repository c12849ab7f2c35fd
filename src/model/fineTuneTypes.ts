/**
 * The contract of fineTune() (src/model/fineTune.ts): what the worker, the train CLI and bench/finetune.ts
 * pass in and get back. Types only, so the layers above can be written against it.
 */
import type { FloatPlane } from '../image/types';
import type { AbortSignalLike } from './abort';
import type { FineTuneRecipe, TrainingRecipe } from './recipe';
import type { TrainProgress } from './train';
import type { Segmenter } from './types';

/** One image of a fine-tune: normalised plane, training labels and (optionally) held-out labels. */
export interface FineTuneSample {
  /** Normalised single-channel image (the card's normalisation already applied). */
  readonly image: FloatPlane;
  /** Labels the optimiser sees: 0 unlabelled, 1 background, 2 foreground. */
  readonly labels: Uint8Array;
  /** Held-out labels of the same image (same format; disjoint from `labels`), scored but never trained on. */
  readonly validation?: Uint8Array;
  /** Optional instance ids for the border term (dense training data only). */
  readonly instances?: Uint16Array | Uint32Array;
  readonly name?: string;
}

/** Scores of a model on the held-out labels. */
export interface ValidationScore {
  /** Mean (unweighted) cross-entropy over held-out labelled pixels. */
  readonly loss: number;
  /** Share of held-out labelled pixels whose argmax class is right. */
  readonly pixelAccuracy: number;
  /** IoU of the foreground (label 2) over held-out labelled pixels. */
  readonly foregroundIou: number;
  /** Held-out labelled pixels scored. */
  readonly pixels: number;
}

/** One validation point of the curve (step 0 = the starting model). */
export interface ValidationPoint extends ValidationScore {
  readonly step: number;
  /** True when this point is the best so far (its weights are kept). */
  readonly best: boolean;
}

/** Reported after every step: a training step's progress and the time left. */
export interface FineTuneProgress extends TrainProgress {
  /** Estimated ms to the end at the current pace (validations included). */
  readonly etaMs: number;
}

export interface FineTuneOptions {
  /** The model's recipe (from its card); `overrides` change single fine-tuning settings. */
  readonly recipe: TrainingRecipe;
  readonly overrides?: Partial<FineTuneRecipe>;
  /**
   * The classes a painted foreground pixel may be, from the card (paintedForegroundClasses): [1] by
   * default; required for a model of more than 2 classes (a boundary-class model: [1, 2]).
   */
  readonly foregroundClasses?: readonly number[];
  /** Memory budget (bytes) that sizes the training tile: the largest legal tile whose training step fits. */
  readonly budgetBytes: number;
  /** Caps the tile side (e.g. to bound step time); default none beyond what the images need. */
  readonly maxTileSize?: number;
  /** Largest single tensor allowed (WebGPU maxStorageBufferBindingSize, see budgetFromLimits); default none. */
  readonly maxBindingBytes?: number;
  readonly seed?: number;
  readonly signal?: AbortSignalLike;
  readonly onProgress?: (progress: FineTuneProgress) => void;
  readonly onValidation?: (point: ValidationPoint) => void;
  /** Awaited every `previewEvery` steps with the current weights (the worker re-predicts the visible region). */
  readonly previewEvery?: number;
  readonly onPreview?: (step: number, segmenter: Segmenter) => Promise<void>;
  /** Called between steps; a non-null answer replaces the training labels (new strokes join the next steps). */
  readonly pollSamples?: () => readonly FineTuneSample[] | null;
  /** Awaited between steps so that other queued work (a segmentation) can run on a consistent model. */
  readonly betweenSteps?: () => Promise<void>;
}

/** What fineTune resolves to. The segmenter then holds the best weights, or the starting ones if none was better. */
export interface FineTuneResult {
  /** Steps actually run (not the requested count). */
  readonly steps: number;
  readonly aborted: boolean;
  /** Stopped early because validation stopped improving. */
  readonly stoppedEarly: boolean;
  /** Score of the starting model on the held-out labels (null when nothing was held out). */
  readonly before: ValidationScore | null;
  /** Score of the kept weights (null when nothing was held out). */
  readonly after: ValidationScore | null;
  /** Step whose weights were kept (0 = the starting model). */
  readonly bestStep: number;
  /** 'tuned' = weights of bestStep > 0 kept; 'start' = the starting model was kept (it was not beaten). */
  readonly kept: 'tuned' | 'start';
  /** One sentence for the user about what was kept and why. */
  readonly message: string;
  readonly msPerStep: number;
  readonly tileSize: number;
  readonly outputTileSize: number;
  /** The settings actually used (recipe.fineTune plus overrides). */
  readonly settings: FineTuneRecipe;
}
