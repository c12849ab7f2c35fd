import { bioimageioPackage } from '../model/bioimageio/package';
import { segmenterFromArtifacts } from '../model/io';
import { modelZip } from '../model/modelExport';
import { importModel, isModelImportError } from '../model/modelImport';
import type { ModelCard } from '../model/types';
import type { Handlers } from './handle';
import { describeModel, newWorkerModel, restoreWeights, snapshotWeights, workerModel, type ModelState } from './modelHandlers';

/** A file name of the card's name: letters, digits, dots, dashes and underscores only. */
function safeFileName(name: string): string {
  return name.replace(/[^\w.-]+/g, '_').replace(/^[._]+/, '') || 'model';
}

/**
 * The model library's worker side: import (validated before a tensor is made, so a refusal changes
 * nothing), duplicate, and export as a model ZIP or a bioimage.io package. Removing is `removeModel`.
 */
export function createLibraryHandlers(state: ModelState): Handlers {
  const { registry } = state;
  return {
    importModel: async ({ id, files, expectInChannels, tuning }) => {
      if (registry.peek(id)) throw new Error(`A model with id "${id}" exists already.`);
      let imported;
      try {
        imported = importModel(files, { expectInChannels });
      } catch (error) {
        // The message names the file and the problem; the name lets the app tell a refusal from a bug.
        if (isModelImportError(error)) throw Object.assign(new Error(error.message), { name: 'ModelImportError' });
        throw error;
      }
      const segmenter = await segmenterFromArtifacts(imported.artifacts, imported.card);
      let model;
      try {
        model = await newWorkerModel(segmenter, imported.card, false, tuning);
      } catch (error) {
        segmenter.dispose();
        throw error;
      }
      registry.add(id, model);
      return describeModel(state, id, model);
    },

    duplicateModel: async ({ id, newId, name }) => {
      const lease = await registry.acquire(id);
      try {
        const { segmenter, card, random, revision, tuning } = lease.model;
        const copy = workerModel(restoreWeights(await snapshotWeights(segmenter)), { ...card, name }, random, revision, tuning);
        registry.add(newId, copy);
        return describeModel(state, newId, copy);
      } finally {
        lease.release();
      }
    },

    packageModel: async ({ id, format, name, testImage }, ctx) => {
      const lease = await registry.acquire(id);
      try {
        const { segmenter, tuning } = lease.model;
        // The fine-tune record (parent, steps, validation before/after) travels in the card.
        const card: ModelCard = { ...lease.model.card, ...(name ? { name } : {}), ...(tuning ? { fineTune: tuning } : {}) };
        let bytes: Uint8Array;
        let fileName: string;
        if (format === 'bioimageio') {
          if (!testImage) throw new Error('A bioimage.io package needs a test image: open an image first.');
          bytes = (await bioimageioPackage(segmenter, card, testImage)).zip;
          fileName = `${safeFileName(card.name)}.bioimageio.zip`;
        } else {
          bytes = await modelZip(segmenter, card);
          fileName = `${safeFileName(card.name)}.zip`;
        }
        ctx.transfer(bytes.buffer as ArrayBuffer);
        return { fileName, bytes };
      } finally {
        lease.release();
      }
    },
  };
}
