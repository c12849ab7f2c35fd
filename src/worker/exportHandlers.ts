import * as tf from '@tensorflow/tfjs';
import { MODEL_FILES, artifactsToModelJson, artifactsWeightData, segmenterToArtifacts } from '../model/io';
import type { Handlers } from './handle';
import type { ModelState } from './modelHandlers';

/** Saving a model of the session (a fine-tuned one too) as the files of a model folder. */
export function createExportHandlers(state: ModelState): Handlers {
  return {
    exportModel: async ({ id }, ctx) => {
      const lease = await state.registry.acquire(id);
      try {
        const { segmenter, card, tuning } = lease.model;
        const artifacts = await segmenterToArtifacts(segmenter);
        const encoder = new TextEncoder();
        const json = encoder.encode(JSON.stringify(artifactsToModelJson(artifacts)));
        const weights = new Uint8Array(artifactsWeightData(artifacts).slice(0));
        // The fine-tune record (parent, steps, validation before/after) travels in the card of the download.
        const cardBytes = encoder.encode(JSON.stringify(tuning ? { ...card, fineTune: tuning } : card, null, 2));
        const files = [
          { name: MODEL_FILES.modelJson, bytes: json },
          { name: MODEL_FILES.weights, bytes: weights },
          { name: MODEL_FILES.card, bytes: cardBytes },
        ];
        ctx.transfer(...files.map((f) => f.bytes.buffer as ArrayBuffer));
        return { name: card.name, files, backend: tf.getBackend() };
      } finally {
        lease.release();
      }
    },
  };
}
