import { getWorkerClient } from '../client';
import { getImageWorker } from '../imageWorker';
import { addPixels, getPixels } from '../pixels';
import type { StudioState } from '../store';
import { unpackLabels } from '../../image/labelCodec';
import { parsePostProcessing } from '../../image/postProcessing';
import type { RestoreTarget } from './restore';
import { entryFromModelRecord, entryFromRecord, labelStatsOf, settingsPatch } from './serialise';

type Set = (partial: Partial<StudioState> | ((s: StudioState) => Partial<StudioState>)) => void;
type Get = () => StudioState;

const THUMBNAIL = 96;

function leaf(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

/** How the app takes a stored session back: the same ids, decoded again in the image worker, models in the model worker. */
export function createRestoreTarget(set: Set, get: Get): RestoreTarget {
  return {
    applySettings(record) {
      set(settingsPatch(record, get()));
    },

    async addModel(record) {
      // The stored ZIP is the worker's own export; the worker validates it like any import.
      const bytes = record.zip.slice();
      const model = await getWorkerClient().call(
        'importModel',
        { id: record.id, files: [{ name: `${record.id}.zip`, bytes }], expectInChannels: 1, ...(record.tuning ? { tuning: record.tuning } : {}) },
        { transfer: [bytes.buffer as ArrayBuffer] },
      );
      get().addModelEntry(entryFromModelRecord(record));
      set((s) => ({ loaded: { ...s.loaded, [model.id]: model } }));
      return model.revision;
    },

    async addImages(file, records) {
      const { pages } = await getImageWorker().call('decode', { file: file.blob, name: leaf(file.name), thumbnailSize: THUMBNAIL });
      const entries = records.map((record) => {
        const page = pages[record.page - 1];
        if (!page) throw new RangeError(`page ${record.page} is missing from its file`);
        const entry = entryFromRecord(record, page.raster, page.thumbnail ? URL.createObjectURL(page.thumbnail) : null);
        addPixels(record.id, page.raster, file.blob);
        return entry;
      });
      for (const e of entries) get().initDisplay(e.id);
      set((s) => ({ images: [...s.images.filter((i) => !entries.some((e) => e.id === i.id)), ...entries] }));
    },

    setLabels(record) {
      const px = getPixels(record.id);
      if (!px) return;
      if (record.width !== px.raster.width || record.height !== px.raster.height) {
        throw new RangeError(`they are ${record.width}x${record.height} for a ${px.raster.width}x${px.raster.height} image`);
      }
      px.labels = { width: record.width, height: record.height, data: unpackLabels(record.packed, record.width, record.height) };
      const stats = labelStatsOf(px.labels.data, record.edited);
      set((s) => ({ labelStats: { ...s.labelStats, [record.id]: stats }, labelsDirty: { id: record.id, rect: null, version: s.labelsDirty.version + 1 } }));
      get().scheduleSplit(record.id);
    },

    setResult(record) {
      const px = getPixels(record.imageId);
      if (!px) return;
      if (record.probabilities.length !== px.raster.width * px.raster.height) throw new RangeError('its size does not match the image');
      px.predictions.set(record.key, record.probabilities);
      // Stored data is checked like a card's: a bad record keeps its map and loses only these settings.
      const made = record.madeWith;
      if (made) {
        try {
          const settings = parsePostProcessing(made.settings, made.settings.objects === 'cells' ? 'cells' : 'foreground');
          const scale = typeof made.scale === 'number' && made.scale > 0 && Number.isFinite(made.scale) ? made.scale : 1;
          px.madeWith.set(record.key, { modelId: typeof made.modelId === 'string' ? made.modelId : null, settings, scale });
        } catch {
          px.madeWith.delete(record.key);
        }
      }
      set((s) => ({
        segmented: { ...s.segmented, [record.imageId]: [...(s.segmented[record.imageId] ?? []).filter((k) => k !== record.key), record.key] },
        predictionVersion: s.predictionVersion + 1,
      }));
    },

    async select(session) {
      const state = get();
      // Every image's model is loaded, so each list item shows whether it is segmented.
      const wanted = new Set(state.images.map((i) => i.modelId).filter((m): m is string => m !== null));
      await Promise.all([...wanted].map((id) => state.ensureModel(id).catch(() => null)));
      const selected = session.selectedId && get().images.some((i) => i.id === session.selectedId) ? session.selectedId : (get().images[0]?.id ?? null);
      if (selected) get().selectImage(selected);
      else if (session.modelId && session.modelId !== get().modelId && get().models.some((m) => m.id === session.modelId)) await get().loadModel(session.modelId);
    },
  };
}
