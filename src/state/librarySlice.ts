import type { StateCreator } from 'zustand';
import { toSingleChannel } from '../image/normalize';
import type { LoadedModel, ModelFileMessage } from '../worker/protocol';
import { getWorkerClient } from './client';
import { downloadBytes } from './download';
import type { ModelEntry } from './modelSlice';
import { getPixels } from './pixels';
import type { StudioState } from './store';

/*
 * The model library: shipped models (read-only) and kept ones (fine-tuned, imported, duplicated), which
 * can be renamed, duplicated, deleted and exported. The weights live in the worker; this slice keeps the
 * list and talks to the worker through its client only.
 */

export type LibraryFormat = 'zip' | 'bioimageio';

export interface LibrarySlice {
  /** A model import in progress (file names), or null. */
  importing: string | null;
  /**
   * Imports one ZIP (plain or bioimage.io) or model.json + weights + card picked together. The worker
   * validates them before anything is loaded; a refusal is one clear message and changes nothing.
   */
  importModelFiles(files: readonly File[]): Promise<void>;
  /** A kept model's new name (shipped models keep theirs). */
  renameModel(id: string, label: string): void;
  /** A kept copy of model `id` (same weights, so its cached results are shared). */
  duplicateModel(id: string): Promise<void>;
  /** Deletes a kept model; images that used it fall back to its parent (or the first model). */
  deleteModel(id: string): Promise<void>;
  /** Downloads model `id` as a model ZIP, or as a bioimage.io package with the shown image as test input. */
  exportModelAs(id: string, format: LibraryFormat): Promise<void>;
}

export const initialLibraryState = { importing: null as string | null };

/** True for a model the user made or brought (it can be renamed and deleted). */
export function isKept(entry: ModelEntry): boolean {
  return entry.source.kind === 'session';
}

/** `base`, or `base (2)`, `base (3)`… so that no two models of the list share a name. */
export function uniqueLabel(models: readonly ModelEntry[], base: string): string {
  const taken = new Set(models.map((m) => m.label));
  if (!taken.has(base)) return base;
  let k = 2;
  while (taken.has(`${base} (${k})`)) k++;
  return `${base} (${k})`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const createLibrarySlice: StateCreator<StudioState, [], [], LibrarySlice> = (set, get) => {
  /** Lists a model the worker now holds and keeps its facts. */
  const keep = (model: LoadedModel, entry: Omit<ModelEntry, 'id' | 'source'>) => {
    get().addModelEntry({ ...entry, id: model.id, source: { kind: 'session' } });
    set((s) => ({ loaded: { ...s.loaded, [model.id]: model } }));
  };

  return {
    ...initialLibraryState,

    async importModelFiles(files) {
      if (files.length === 0 || get().importing) return;
      const names = files.map((f) => f.name).join(', ');
      set({ importing: names });
      try {
        const messages: ModelFileMessage[] = await Promise.all(files.map(async (f) => ({ name: f.webkitRelativePath || f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
        // The app feeds the model one channel (grey, or the chosen channel of a colour image).
        const model = await getWorkerClient().call(
          'importModel',
          { id: crypto.randomUUID(), files: messages, expectInChannels: 1 },
          { transfer: messages.map((m) => m.bytes.buffer as ArrayBuffer) },
        );
        keep(model, { label: uniqueLabel(get().models, model.card.name), origin: { kind: 'imported', from: names } });
        get().notify('info', `Imported the model "${model.card.name}" (${model.card.task}, ${(model.parameters / 1e6).toFixed(2)} M parameters).`);
        await get().loadModel(model.id);
      } catch (error) {
        const refused = error instanceof Error && error.name === 'ModelImportError';
        get().notify('error', `${refused ? 'The model was not imported' : 'Could not import the model'} (${names}): ${errorText(error)}. Nothing was changed.`);
      } finally {
        set({ importing: null });
      }
    },

    renameModel(id, label) {
      const name = label.trim();
      const entry = get().models.find((m) => m.id === id);
      if (!entry || !isKept(entry) || name === '' || name === entry.label) return;
      const unique = uniqueLabel(get().models.filter((m) => m.id !== id), name);
      set((s) => ({ models: s.models.map((m) => (m.id === id ? { ...m, label: unique } : m)) }));
    },

    async duplicateModel(id) {
      const entry = get().models.find((m) => m.id === id);
      if (!entry) return;
      try {
        await get().ensureModel(id);
        const label = uniqueLabel(get().models, `${entry.label} copy`);
        const model = await getWorkerClient().call('duplicateModel', { id, newId: crypto.randomUUID(), name: label });
        keep(model, { label, origin: { kind: 'copy', from: entry.label }, ...(entry.tuning ? { tuning: entry.tuning } : {}) });
        get().setStatus(`Duplicated "${entry.label}" as "${label}".`);
      } catch (error) {
        get().notify('error', `Could not duplicate "${entry.label}": ${errorText(error)}`);
      }
    },

    async deleteModel(id) {
      const entry = get().models.find((m) => m.id === id);
      if (!entry || !isKept(entry)) return;
      await get().discardModel(id);
    },

    async exportModelAs(id, format) {
      const entry = get().models.find((m) => m.id === id);
      if (!entry) return;
      try {
        await get().ensureModel(id);
        const state = get();
        const image = state.images.find((i) => i.id === state.selectedId);
        const px = getPixels(state.selectedId);
        // The test input is the shown image's raw plane (the channel that feeds the model), un-normalised.
        const testImage = format === 'bioimageio' && image && px ? toSingleChannel(px.raster, image.channel) : undefined;
        if (format === 'bioimageio' && !testImage) {
          get().notify('warning', 'A bioimage.io package needs a test image: open an image first.');
          return;
        }
        state.setStatus(`Packing "${entry.label}"…`);
        const { fileName, bytes } = await getWorkerClient().call(
          'packageModel',
          { id, format, name: entry.label, ...(testImage ? { testImage } : {}) },
          { transfer: testImage ? [testImage.data.buffer as ArrayBuffer] : [] },
        );
        downloadBytes(fileName, bytes);
        get().setStatus(`Saved ${fileName}.`);
      } catch (error) {
        get().notify('error', `Could not export "${entry.label}": ${errorText(error)}`);
      }
    },
  };
};
