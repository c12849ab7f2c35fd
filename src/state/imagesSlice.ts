import type { StateCreator } from 'zustand';
import { exportBaseName } from '../image/export';
import type { ChannelChoice } from '../image/normalize';
import { fileFingerprint } from './fingerprint';
import { getImageWorker } from './imageWorker';
import { addPixels, removePixels } from './pixels';
import type { StudioState } from './store';

/** One image in the list. A multi-page TIFF gives one entry per page ("name #k"). */
export interface ImageEntry {
  readonly id: string;
  /** What the list shows: the file name, plus " #k" for page k of a multi-page file. */
  readonly name: string;
  /** Path as dropped or picked (includes folders). */
  readonly path: string;
  /** Base of the export file names (NAME in NAME_mask.png). */
  readonly exportName: string;
  readonly page: number;
  readonly pageCount: number;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3 | 4;
  readonly bitDepth: 8 | 16 | 32;
  readonly fileBytes: number;
  /** Object URL of a PNG thumbnail, or null. */
  readonly thumbnailUrl: string | null;
  /** What feeds the 1-channel model for colour images: mean of the colour channels or one channel. */
  readonly channel: ChannelChoice;
  /**
   * The model this image is segmented with: the one selected when it was added (telling EM from nuclei by
   * pixel statistics alone is guesswork), changeable per image. Null only before any model was chosen.
   */
  readonly modelId: string | null;
  /** Name, size and content hash of the file it came from (fingerprint.ts): the same file is not loaded twice. */
  readonly fingerprint?: string;
}

/** A file to load and the path to show for it (folders included). */
export interface FileSource {
  readonly file: File;
  readonly path: string;
}

export interface LoadingState {
  readonly done: number;
  readonly total: number;
  readonly current: string;
}

export interface ImagesSlice {
  images: ImageEntry[];
  selectedId: string | null;
  loading: LoadingState | null;
  /**
   * Decodes files in the image worker; each failure is a toast naming the file; the rest still load. A file
   * already in the list (same name, size and bytes) is not added again; a toast says so.
   */
  addFiles(sources: readonly FileSource[]): Promise<void>;
  /** Settles when every file added so far has been decoded (or has failed). */
  whenLoaded(): Promise<void>;
  removeImage(id: string): void;
  selectImage(id: string): void;
  /** Selects the previous (-1) or next (1) image of the list. */
  selectRelative(delta: -1 | 1): void;
  setChannel(id: string, channel: ChannelChoice): void;
  /** Chooses the model image `id` is segmented with (its results under other models stay cached). */
  setImageModel(id: string, modelId: string): void;
}

export const initialImagesState = { images: [] as ImageEntry[], selectedId: null as string | null, loading: null as LoadingState | null };

const THUMBNAIL = 96;
/** Files queued while a batch is loading join that batch (decoding is sequential in one worker). */
let queue: Promise<void> = Promise.resolve();

function leaf(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

function omit<T>(record: Readonly<Record<string, T>>, id: string): Record<string, T> {
  const { [id]: _gone, ...rest } = record;
  return rest;
}

function describeFailure(path: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.startsWith(path) || message.startsWith(leaf(path)) ? `Could not open ${message}.` : `Could not open ${leaf(path)}: ${message}.`;
}

export const createImagesSlice: StateCreator<StudioState, [], [], ImagesSlice> = (set, get) => ({
  ...initialImagesState,

  addFiles(sources) {
    if (sources.length === 0) return queue;
    set((s) => ({
      loading: { done: s.loading?.done ?? 0, total: (s.loading?.total ?? 0) + sources.length, current: s.loading?.current ?? leaf(sources[0].path) },
    }));
    queue = queue.then(async () => {
      let loaded = 0;
      let failed = 0;
      let duplicates = 0;
      for (const source of sources) {
        set((s) => ({ loading: s.loading && { ...s.loading, current: leaf(source.path) } }));
        try {
          const fingerprint = await fileFingerprint(leaf(source.path), new Uint8Array(await source.file.arrayBuffer()));
          const twin = get().images.find((i) => i.fingerprint === fingerprint);
          if (twin) {
            duplicates++;
            get().notify('info', `${leaf(source.path)} is already loaded${twin.pageCount > 1 ? ` (${twin.pageCount} pages)` : ''}; it was not added again.`);
            set((s) => ({ loading: s.loading && { ...s.loading, done: s.loading.done + 1 } }));
            continue;
          }
          const { pages } = await getImageWorker().call('decode', { file: source.file, name: leaf(source.path), thumbnailSize: THUMBNAIL });
          const entries = pages.map((p, k): ImageEntry => {
            // Stable, unique ids: results, labels and (later) stored sessions are keyed by them.
            const id = crypto.randomUUID();
            addPixels(id, p.raster, source.file);
            const many = pages.length > 1;
            return {
              id,
              name: many ? `${leaf(source.path)} #${k + 1}` : leaf(source.path),
              path: source.path,
              exportName: many ? `${exportBaseName(source.path)}_p${k + 1}` : exportBaseName(source.path),
              page: k + 1,
              pageCount: pages.length,
              width: p.raster.width,
              height: p.raster.height,
              channels: p.raster.channels,
              bitDepth: p.raster.bitDepth,
              fileBytes: source.file.size,
              thumbnailUrl: p.thumbnail ? URL.createObjectURL(p.thumbnail) : null,
              channel: 'mean',
              modelId: get().modelId,
              fingerprint,
            };
          });
          for (const e of entries) get().initDisplay(e.id);
          if (entries.length > 1) {
            get().notify('info', `${leaf(source.path)} has ${entries.length} pages: each is its own image (#1–#${entries.length}), segmented, painted and exported separately.`);
          }
          set((s) => ({ images: [...s.images, ...entries], selectedId: s.selectedId ?? entries[0]?.id ?? null }));
          loaded += entries.length;
        } catch (error) {
          failed++;
          get().notify('error', describeFailure(source.path, error));
        }
        set((s) => ({ loading: s.loading && { ...s.loading, done: s.loading.done + 1 } }));
      }
      const s = get();
      if (s.loading && s.loading.done >= s.loading.total) set({ loading: null });
      const what = `${loaded} image${loaded === 1 ? '' : 's'}${duplicates > 0 ? ` (${duplicates} file${duplicates === 1 ? ' was' : 's were'} already loaded)` : ''}`;
      get().setStatus(
        failed > 0
          ? `Loaded ${what}; ${failed} file${failed === 1 ? '' : 's'} could not be read (see the messages).`
          : `Loaded ${what}. Press S to segment the current image, or use "Segment all".`,
      );
    });
    return queue;
  },

  whenLoaded() {
    return queue;
  },

  removeImage(id) {
    const { images, selectedId } = get();
    const index = images.findIndex((i) => i.id === id);
    if (index < 0) return;
    const entry = images[index];
    if (entry.thumbnailUrl) URL.revokeObjectURL(entry.thumbnailUrl);
    removePixels(id);
    const rest = images.filter((i) => i.id !== id);
    const nextSelected = selectedId === id ? (rest[Math.min(index, rest.length - 1)]?.id ?? null) : selectedId;
    set((s) => ({
      images: rest,
      selectedId: nextSelected,
      display: omit(s.display, id),
      views: omit(s.views, id),
      labelStats: omit(s.labelStats, id),
      segmented: omit(s.segmented, id),
      instances: omit(s.instances, id),
    }));
    get().setStatus(`Removed ${entry.name}.`);
  },

  selectImage(id) {
    const image = get().images.find((i) => i.id === id);
    if (!image) return;
    set({ selectedId: id });
    // The model panel shows (and segments with) the model of the shown image.
    if (image.modelId && image.modelId !== get().modelId) void get().loadModel(image.modelId);
  },

  selectRelative(delta) {
    const { images, selectedId } = get();
    if (images.length === 0) return;
    const index = images.findIndex((i) => i.id === selectedId);
    const next = Math.min(images.length - 1, Math.max(0, (index < 0 ? 0 : index) + delta));
    get().selectImage(images[next].id);
  },

  setChannel(id, channel) {
    set((s) => ({ images: s.images.map((i) => (i.id === id ? { ...i, channel } : i)) }));
  },

  setImageModel(id, modelId) {
    set((s) => ({ images: s.images.map((i) => (i.id === id ? { ...i, modelId } : i)) }));
    if (id === get().selectedId && modelId !== get().modelId) void get().loadModel(modelId);
  },
});
