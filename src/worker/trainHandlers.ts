import * as tf from '@tensorflow/tfjs';
import { normalizePlane } from '../image/normalize';
import { MODEL_FILES, artifactsToModelJson, artifactsWeightData, segmenterToArtifacts } from '../model/io';
import { trainSegmenter, type TrainingSample } from '../model/train';
import type { Handlers } from './handle';
import type { ModelState } from './modelHandlers';

/** Smallest number of labelled pixels worth a training run: fewer is almost certainly a mistake. */
const minLabelledPixels = 20;

/** Handlers for fine-tuning the loaded model and for saving it as files. */
export function createTrainHandlers(state: ModelState): Handlers {
  return {
    train: async ({ examples, options }, ctx) => {
      const { segmenter, card } = state;
      if (!segmenter || !card) throw new Error('No model is loaded: choose one in the model panel first.');
      const samples: TrainingSample[] = [];
      let labelled = 0;
      const classes = new Set<number>();
      for (const ex of examples) {
        if (ex.labels.length !== ex.image.width * ex.image.height) {
          throw new RangeError(`labels hold ${ex.labels.length} values for a ${ex.image.width}x${ex.image.height} image`);
        }
        for (const v of ex.labels) {
          if (v !== 0) {
            labelled++;
            classes.add(v);
          }
        }
        samples.push({ image: normalizePlane(ex.image, card.normalization), labels: ex.labels });
      }
      if (labelled < minLabelledPixels) {
        throw new Error(`Paint some labels first: only ${labelled} labelled pixels in ${examples.length} image(s).`);
      }
      if (classes.size < 2) {
        throw new Error('Paint both classes (background and foreground): the model cannot learn from one class alone.');
      }
      // EM: the foreground is the membrane and the objects of the border term are the cells it separates.
      const objectClass = card.task === 'membranes' ? 1 : 2;
      const result = await trainSegmenter(segmenter, samples, {
        steps: options.steps,
        optimizer: options.optimizer,
        learningRate: options.learningRate,
        seed: options.seed,
        objectClass,
        signal: ctx.signal,
        onProgress: (p) => ctx.progress({ step: p.step, steps: p.steps, loss: p.smoothedLoss, msPerStep: p.msPerStep }),
      });
      const base = card.name.replace(/ \(fine-tuned\)$/, '');
      state.card = {
        ...card,
        name: `${base} (fine-tuned)`,
        trainedSteps: card.trainedSteps + result.steps,
        // A new revision even for a stopped run: the weights changed, so cached predictions are stale.
        createdAt: new Date().toISOString(),
        // Held-out metrics described the model before fine-tuning; they no longer apply.
        metrics: undefined,
        heldOut: undefined,
      };
      state.random = false;
      return { steps: result.steps, loss: result.smoothedLoss, msPerStep: result.msPerStep, card: state.card };
    },

    exportModel: async (_params, ctx) => {
      const { segmenter, card } = state;
      if (!segmenter || !card) throw new Error('No model is loaded.');
      const artifacts = await segmenterToArtifacts(segmenter);
      const encoder = new TextEncoder();
      const json = encoder.encode(JSON.stringify(artifactsToModelJson(artifacts)));
      const weights = new Uint8Array(artifactsWeightData(artifacts).slice(0));
      const cardBytes = encoder.encode(JSON.stringify(card, null, 2));
      const files = [
        { name: MODEL_FILES.modelJson, bytes: json },
        { name: MODEL_FILES.weights, bytes: weights },
        { name: MODEL_FILES.card, bytes: cardBytes },
      ];
      ctx.transfer(...files.map((f) => f.bytes.buffer as ArrayBuffer));
      return { name: card.name, files, backend: tf.getBackend() };
    },
  };
}
