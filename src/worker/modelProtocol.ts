/**
 * Worker protocol, model family: where a model comes from, what the UI knows about a loaded one (including
 * how a fine-tuned one came about), and the commands that load, describe and remove models
 * (modelHandlers.ts). Types only (see protocol.ts).
 */

import type { ValidationScore } from '../model/fineTuneTypes';
import type { FineTuneRecipe, TrainingRecipe } from '../model/recipe';
import type { ModelCard, UnetConfig } from '../model/types';

/** Where the worker gets a model from. */
export type ModelSource =
  /** A model directory served with the app (public/models/NAME/): model.json, shards, model-card.json. */
  | { readonly kind: 'url'; readonly url: string }
  /** A fresh, randomly initialised U-Net (before any trained model exists, or to train from scratch). */
  | { readonly kind: 'random'; readonly config: UnetConfig; readonly name?: string }
  /** A model made in this worker session (a fine-tune): it is in the worker's registry already. */
  | { readonly kind: 'session' };

/** How a fine-tuned model came about: its parent, the run, and the validation before and after. */
export interface TuningRecord {
  readonly parentId: string;
  readonly parentName: string;
  /** Steps the run actually made (a stopped run: fewer than asked for). */
  readonly steps: number;
  readonly requestedSteps: number;
  /** Step whose weights were kept (0 = the starting weights). */
  readonly bestStep: number;
  readonly kept: 'tuned' | 'start';
  /** One sentence for the user about what was kept and why. */
  readonly message: string;
  readonly aborted: boolean;
  readonly stoppedEarly: boolean;
  /** Images with painted labels the run used. */
  readonly images: number;
  /** Validation of the starting and of the kept weights on the held-out labels (null: nothing held out). */
  readonly before: ValidationScore | null;
  readonly after: ValidationScore | null;
  readonly settings: FineTuneRecipe;
  readonly msPerStep: number;
  readonly tileSize: number;
  readonly outputTileSize: number;
  readonly finishedAt: string;
}

/** What the UI knows about a loaded model. */
export interface LoadedModel {
  /** The registry id the worker keeps it under. */
  readonly id: string;
  readonly card: ModelCard;
  /**
   * Content hash of the weights (sha256 hex, src/model/revision.ts). Every cached result is keyed by it: the
   * same weights give the same revision whatever the model is called, one changed weight a new one.
   */
  readonly revision: string;
  /** How it was trained and how to fine-tune it (the card's recipe, or defaults for its task). */
  readonly recipe: TrainingRecipe;
  /** Present for a model fine-tuned in this session. */
  readonly tuning?: TuningRecord;
  /** True for a randomly initialised model: its output is meaningless until it is trained. */
  readonly random: boolean;
  readonly parameters: number;
  /** Context margin per side (px) of the valid-padded network. */
  readonly margin: number;
}

/** Commands that make models ready, describe them and discard them. */
export interface ModelCommands {
  /** Makes model `id` ready (loads a shipped one on first use; nothing is unloaded by choosing another). */
  loadModel: {
    params: { readonly id: string; readonly source: ModelSource };
    result: LoadedModel;
    progress: { readonly fraction: number };
  };
  /** Facts of a model the worker holds. */
  describeModel: {
    params: { readonly id: string };
    result: LoadedModel;
    progress: never;
  };
  /** Discards a model made in this session; a job using it keeps it until the job ends. */
  removeModel: {
    params: { readonly id: string };
    result: { readonly removed: boolean };
    progress: never;
  };
}
