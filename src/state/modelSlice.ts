import type { StateCreator } from 'zustand';
import type { LoadedModel, ModelSource, ObjectsRequest, PlaneMessage, Progress, Result, SegmentOptions, TileReport, TuningRecord } from '../worker/protocol';
import { getWorkerClient } from './client';
import { engineFromUrl } from './engineSetting';
import type { StudioState } from './store';

/** A model the app can offer: shipped ones come from public/models/index.json, fine-tuned ones from this session. */
export interface ModelEntry {
  readonly id: string;
  readonly label: string;
  readonly source: ModelSource;
  /** A model fine-tuned in this session: its parent, run and validation. */
  readonly tuning?: TuningRecord;
  /** How a kept model other than a fine-tune came to be: imported from files, or a copy of another model. */
  readonly origin?: { readonly kind: 'imported' | 'copy'; readonly from: string };
}

/** Used when no trained model ships: valid-padded, 1 channel, 2 classes, small enough to be quick. */
export const randomModelEntry: ModelEntry = {
  id: 'random',
  label: 'Untrained U-Net (random weights)',
  source: { kind: 'random', name: 'untrained', config: { depth: 3, baseFilters: 8, inChannels: 1, classes: 2, dropout: 0.2, padding: 'valid', seed: 1 } },
};

export type ModelStatus = 'none' | 'loading' | 'ready' | 'error';

export interface SegmentCallOptions {
  /** The model to segment with (default: the selected one). */
  readonly modelId?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress<'segment'>) => void;
  /** Also make the objects (and measure them) in the model worker; its intensity buffer is transferred. */
  readonly objects?: ObjectsRequest;
  /** After a cancel, receives the finished tiles when the worker sends them (worker/client onPartial). */
  readonly onPartial?: (partial: Result<'segment'>) => void;
  /** Object diameter of the image (px) or 'auto' to rescale it to the model's training diameter. */
  readonly diameter?: number | 'auto';
}

export interface ModelSlice {
  models: ModelEntry[];
  modelId: string | null;
  modelStatus: ModelStatus;
  model: LoadedModel | null;
  /** Every model the worker has loaded in this session, by id (an image's results are keyed by its model's revision). */
  loaded: Record<string, LoadedModel>;
  modelError: string | null;
  /** Tile geometry of the latest segmentation (what the budget chooser picked). */
  lastTile: TileReport | null;
  /** The inference engine of the latest segmentation and why it ran. */
  lastEngine: { readonly engine: string; readonly reason: string } | null;
  segmentOptions: SegmentOptions;
  /** Reads the shipped model list and loads the default (first) one, or a random model if none ships. */
  loadDefaultModel(): Promise<void>;
  /**
   * Selects model `id` for the shown image (and as the default of images added later); the worker keeps
   * every model it loaded, so switching back is instant and loses nothing.
   */
  loadModel(id: string): Promise<void>;
  /** Makes sure the worker holds model `id` (without selecting it) and returns its facts. */
  ensureModel(id: string): Promise<LoadedModel>;
  /** Lists a model made in this session (a fine-tune) right after its parent's family. */
  addModelEntry(entry: ModelEntry): void;
  /** Discards a kept model of this session (after selecting its parent if it is selected); shipped ones stay. */
  discardModel(id: string): Promise<void>;
  setSegmentOptions(options: Partial<SegmentOptions>): void;
  /**
   * Segments one single-channel plane in the worker. The plane's buffer is transferred (the caller
   * loses it), so pass a copy if you need to keep the data.
   */
  segmentPlane(plane: PlaneMessage, options?: SegmentCallOptions): Promise<Result<'segment'>>;
}

export const initialModelState = {
  models: [] as ModelEntry[],
  modelId: null,
  modelStatus: 'none' as ModelStatus,
  model: null,
  loaded: {} as Record<string, LoadedModel>,
  modelError: null,
  lastTile: null,
  lastEngine: null as { readonly engine: string; readonly reason: string } | null,
  segmentOptions: { tta: false, engine: engineFromUrl() } as SegmentOptions,
};

interface ShippedIndex {
  readonly models: readonly { readonly id: string; readonly label: string; readonly path: string }[];
}

async function fetchShipped(): Promise<ModelEntry[]> {
  try {
    const response = await fetch(new URL('models/index.json', document.baseURI));
    if (!response.ok) return [];
    const index = (await response.json()) as ShippedIndex;
    return index.models.map((m) => ({
      id: m.id,
      label: m.label,
      source: { kind: 'url', url: new URL(`models/${m.path}/model.json`, document.baseURI).href },
    }));
  } catch {
    return [];
  }
}

export const createModelSlice: StateCreator<StudioState, [], [], ModelSlice> = (set, get) => ({
  ...initialModelState,

  async loadDefaultModel() {
    const shipped = await fetchShipped();
    set({ models: [...shipped, randomModelEntry] });
    await get().loadModel(shipped[0]?.id ?? randomModelEntry.id);
  },

  async loadModel(id) {
    const entry = get().models.find((m) => m.id === id);
    if (!entry) {
      get().notify('error', `Unknown model "${id}".`);
      return;
    }
    const selected = get().selectedId;
    set((s) => ({
      modelStatus: 'loading',
      modelId: id,
      modelError: null,
      images: s.images.map((i) => (i.id === selected && i.modelId !== id ? { ...i, modelId: id } : i)),
    }));
    try {
      const model = await get().ensureModel(id);
      // A quicker switch to yet another model wins.
      if (get().modelId !== id) return;
      set({ model, modelStatus: 'ready' });
      // The held-out share is the model's recipe's: the hatched strokes follow the model.
      get().refreshSplits();
      if (model.random) get().notify('warning', 'No trained model is loaded: this U-Net has random weights, so its output is meaningless until you train it.');
      get().setStatus(`Model "${model.card.name}" ready (${(model.parameters / 1e6).toFixed(2)} M parameters).`);
    } catch (error) {
      if (get().modelId !== id) return;
      const message = error instanceof Error ? error.message : String(error);
      set({ modelStatus: 'error', modelError: message });
      get().notify('error', `Could not load the model "${entry.label}": ${message}`);
    }
  },

  async ensureModel(id) {
    const known = get().loaded[id];
    if (known) return known;
    const entry = get().models.find((m) => m.id === id);
    if (!entry) throw new Error(`Unknown model "${id}".`);
    const model = await getWorkerClient().call('loadModel', { id, source: entry.source });
    set((s) => ({ loaded: { ...s.loaded, [id]: model } }));
    return model;
  },

  addModelEntry(entry) {
    set((s) => ({ models: [...s.models.filter((m) => m.id !== entry.id), entry] }));
  },

  async discardModel(id) {
    const entry = get().models.find((m) => m.id === id);
    if (!entry || entry.source.kind !== 'session') return;
    const parentId = entry.tuning?.parentId;
    const parent = parentId && get().models.some((m) => m.id === parentId) ? parentId : get().models[0]?.id;
    if (get().modelId === id && parent) await get().loadModel(parent);
    // Images that were to be segmented with it fall back to its parent; their cached results stay.
    set((s) => ({
      models: s.models.filter((m) => m.id !== id),
      loaded: Object.fromEntries(Object.entries(s.loaded).filter(([k]) => k !== id)),
      images: s.images.map((i) => (i.modelId === id ? { ...i, modelId: parent ?? null } : i)),
    }));
    await getWorkerClient().call('removeModel', { id });
    get().setStatus(`Discarded "${entry.label}".`);
  },

  setSegmentOptions(options) {
    set((s) => ({ segmentOptions: { ...s.segmentOptions, ...options } }));
  },

  async segmentPlane(plane, options = {}) {
    const modelId = options.modelId ?? get().modelId;
    if (!modelId) throw new Error('No model is selected.');
    const result = await getWorkerClient().call(
      'segment',
      {
        modelId,
        image: plane,
        options: { ...get().segmentOptions, ...(options.diameter !== undefined ? { diameter: options.diameter } : {}) },
        ...(options.objects ? { objects: options.objects } : {}),
      },
      {
        signal: options.signal,
        transfer: [plane.data.buffer as ArrayBuffer, ...(options.objects?.intensity ? [options.objects.intensity.buffer as ArrayBuffer] : [])],
        onProgress: options.onProgress,
        onPartial: options.onPartial,
      },
    );
    set({ lastTile: result.tile, lastEngine: result.engine ? { engine: result.engine, reason: result.engineReason ?? '' } : null });
    return result;
  },
});
