import type { StateCreator } from 'zustand';
import type { ImageObjects } from '../image/imageObjects';
import { toSingleChannel, type ChannelChoice } from '../image/normalize';
import type { PostProcessing } from '../image/postProcessing';
import type { RasterImage } from '../image/types';
import type { ObjectsRequest } from '../worker/protocol';
import { createSpeedMemory, estimateRemainingMs } from './eta';
import type { Result } from '../worker/protocol';
import { getImageWorker } from './imageWorker';
import { diameterChoice } from './objectScaleSlice';
import { getPixels } from './pixels';
import { instancesKey } from './keys';
import { currentInstancesKey, currentObjectSettings, currentPredictionKey, imageModelId, imageSettings } from './predictions';
import type { StudioState } from './store';
import { singleChannelInSlices } from './planeSlices';

/** A segmentation in progress over one or more images. */
export interface SegmentRun {
  /** 1-based index of the image being segmented, and how many the run has. */
  readonly index: number;
  readonly count: number;
  readonly id: string;
  readonly name: string;
  readonly tilesDone: number;
  readonly tilesTotal: number;
  /** Milliseconds left for the whole run, or null before the first measurement. */
  readonly etaMs: number | null;
}

/** Object count of one image's current instances. */
export interface InstanceSummary {
  readonly key: string;
  readonly count: number;
  /** Pixels of kept objects: what NAME_mask.png marks 255. */
  readonly foreground: number;
}

export interface SegmentationSlice {
  segRun: SegmentRun | null;
  /** Prediction keys cached per image. */
  segmented: Record<string, string[]>;
  /** Bumped whenever a prediction arrives. */
  predictionVersion: number;
  /** Bumped whenever instances arrive. */
  instancesVersion: number;
  instances: Record<string, InstanceSummary>;
  /** Segments the images in order (cached ones are skipped); one failure does not stop the others. */
  segmentImages(ids: readonly string[]): Promise<void>;
  /**
   * The S shortcut: segments the selected image, or every image. Pressed while files are still decoding
   * (right after a drop), it waits for them rather than doing nothing; with no image at all it says so.
   */
  segmentShortcut(scope: 'selected' | 'all'): Promise<void>;
  cancelSegmentation(): void;
  /**
   * Recomputes the objects of an image in the image worker if they are stale (debounced): after a change
   * of post-processing settings. A segmentation brings its objects with it from the model worker.
   */
  scheduleInstances(id: string | null, delayMs?: number): void;
}

export const initialSegmentationState = {
  segRun: null as SegmentRun | null,
  segmented: {} as Record<string, string[]>,
  predictionVersion: 0,
  instancesVersion: 0,
  instances: {} as Record<string, InstanceSummary>,
};

let controller: AbortController | null = null;
/** Speeds of earlier runs: the ETA of a run of single-tile images is there from its first image. */
const speeds = createSpeedMemory();
let instancesTimer: ReturnType<typeof setTimeout> | null = null;

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/**
 * What the model worker needs to make the objects with the segmentation: the settings, and the channel
 * mean to measure on when the plane it segments is not that (one channel of a colour image).
 */
function objectsRequest(raster: RasterImage, channel: ChannelChoice, settings: PostProcessing): ObjectsRequest {
  return raster.channels > 1 && channel !== 'mean' ? { settings, intensity: toSingleChannel(raster, 'mean').data } : { settings };
}

type Setter = Parameters<StateCreator<StudioState, [], [], SegmentationSlice>>[0];

/** Keeps the objects of image `id` (buffers outside React state) and publishes their count. */
function storeObjects(set: Setter, id: string, key: string, objects: ImageObjects): void {
  const px = getPixels(id);
  if (!px) return;
  px.instances = { key, labels: objects.labels, count: objects.count, sizes: objects.sizes, foreground: objects.foreground, measurements: objects.measurements };
  set((s) => ({
    instances: { ...s.instances, [id]: { key, count: objects.count, foreground: objects.foreground } },
    instancesVersion: s.instancesVersion + 1,
  }));
}

export const createSegmentationSlice: StateCreator<StudioState, [], [], SegmentationSlice> = (set, get) => ({
  ...initialSegmentationState,

  async segmentImages(ids) {
    const state = get();
    if (controller) {
      state.notify('info', 'A segmentation is already running: cancel it first or wait for it to finish.');
      return;
    }
    if (state.modelStatus === 'loading') {
      state.notify('warning', 'The model is still loading; try again in a moment.');
      return;
    }
    // Each image is segmented with its own model: every model they name must be in the worker first.
    const wanted = [...new Set(ids.map((id) => imageModelId(get(), id)).filter((m): m is string => m !== null))];
    if (wanted.length === 0) {
      state.notify('warning', 'No model is loaded: choose one in the Model panel.');
      return;
    }
    for (const modelId of wanted) {
      try {
        await get().ensureModel(modelId);
      } catch (error) {
        const label = get().models.find((m) => m.id === modelId)?.label ?? modelId;
        get().notify('error', `Could not load the model "${label}": ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const todo = ids.filter((id) => {
      const key = currentPredictionKey(get(), id);
      return key !== null && !getPixels(id)?.predictions.has(key);
    });
    if (todo.length === 0) {
      const loadedAll = ids.every((id) => currentPredictionKey(get(), id) !== null);
      if (loadedAll) state.setStatus(ids.length === 1 ? 'This image is already segmented with its model (cached).' : 'All images are already segmented with their models (cached).');
      return;
    }
    const run = new AbortController();
    controller = run;
    const pixelsOf = (id: string) => (getPixels(id)?.raster.width ?? 0) * (getPixels(id)?.raster.height ?? 0);
    let donePixels = 0;
    let doneMs = 0;
    let finished = 0;
    let failed = 0;
    const started = performance.now();
    // Test-time augmentation runs 8 passes: its speed is kept apart and its FLOPs counted 8 times.
    const tta = get().segmentOptions.tta;
    const modelKey = `${get().modelId ?? ''}${tta ? '+tta' : ''}`;
    const flops = get().model?.card.flopsPer512;
    const flopsPerPixel = flops ? ((tta ? 8 : 1) * flops) / (512 * 512) : null;
    const priorMsPerPixel = speeds.msPerPixel(modelKey, flopsPerPixel);
    /**
     * A cancel keeps the finished tiles of the image being segmented, to show (not to export). They arrive
     * after the call has rejected (the UI does not wait for the tile in flight), so the status says it then.
     */
    const keepFinishedTiles = (id: string, key: string) => (partial: Result<'segment'>) => {
      const px = getPixels(id);
      if (!partial.partial || !px || px.predictions.has(key)) return;
      px.partial = { key, probabilities: partial.probabilities, ...partial.partial };
      set((s) => ({ predictionVersion: s.predictionVersion + 1 }));
      const name = get().images.find((i) => i.id === id)?.name ?? id;
      get().setStatus(`${get().statusText} The finished ${partial.partial.tilesDone} of ${partial.partial.tilesTotal} tiles of ${name} are shown; Segment finishes it.`);
    };
    try {
      for (let k = 0; k < todo.length && !run.signal.aborted; k++) {
        const id = todo[k];
        const image = get().images.find((i) => i.id === id);
        const px = getPixels(id);
        const key = currentPredictionKey(get(), id);
        if (!image || !px || !key) continue;
        const pendingPixels = todo.slice(k + 1).reduce((sum, other) => sum + pixelsOf(other), 0);
        const imageStart = performance.now();
        const startEta = estimateRemainingMs({ donePixels, doneMs, currentPixels: pixelsOf(id), currentFraction: 0, currentMs: 0, pendingPixels, priorMsPerPixel });
        set({ segRun: { index: k + 1, count: todo.length, id, name: image.name, tilesDone: 0, tilesTotal: 0, etaMs: startEta } });
        get().setStatus(`Segmenting ${image.name} (${k + 1} of ${todo.length})…`);
        try {
          // A new buffer (made in slices between tasks), which segmentPlane transfers to the worker.
          const plane = await singleChannelInSlices(px.raster, image.channel);
          const modelId = imageModelId(get(), id) ?? undefined;
          const s = get();
          const card = modelId ? (s.loaded[modelId] ?? (s.model?.id === modelId ? s.model : null))?.card : undefined;
          const diameter = diameterChoice(s.diameterOverrides, id, card);
          const settings = imageSettings(s, id);
          const result = await get().segmentPlane(plane, {
            modelId,
            ...(diameter !== 'off' ? { diameter } : {}),
            objects: settings ? objectsRequest(px.raster, image.channel, settings) : undefined,
            signal: run.signal,
            onPartial: keepFinishedTiles(id, key),
            onProgress: (p) => {
              const fraction = p.tilesTotal > 0 ? p.tilesDone / p.tilesTotal : 0;
              const etaMs = estimateRemainingMs({
                donePixels,
                doneMs,
                currentPixels: plane.width * plane.height,
                currentFraction: fraction,
                currentMs: performance.now() - imageStart,
                pendingPixels,
                priorMsPerPixel,
              });
              set((s) => ({ segRun: s.segRun && { ...s.segRun, tilesDone: p.tilesDone, tilesTotal: p.tilesTotal, etaMs } }));
            },
          });
          if (result.width !== image.width || result.height !== image.height) {
            throw new Error(`the model returned ${result.width}x${result.height} for a ${image.width}x${image.height} image`);
          }
          if (!getPixels(id)) continue;
          px.predictions.set(key, result.probabilities);
          if (settings) px.madeWith.set(key, { modelId: modelId ?? null, settings, scale: result.objectScale?.scale ?? 1 });
          px.partial = null;
          get().recordObjectScale(id, result.objectScale);
          donePixels += image.width * image.height;
          doneMs += performance.now() - imageStart;
          speeds.record(modelKey, doneMs, donePixels, flopsPerPixel);
          finished++;
          set((s) => ({
            segmented: { ...s.segmented, [id]: [...(s.segmented[id] ?? []).filter((x) => x !== key), key] },
            predictionVersion: s.predictionVersion + 1,
          }));
          if (result.objects && settings) storeObjects(set, id, instancesKey(key, settings), result.objects);
          if (id === get().selectedId) get().scheduleInstances(id, 0);
        } catch (error) {
          if (isAbort(error)) break;
          failed++;
          get().notify('error', `Could not segment ${image.name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    } finally {
      controller = null;
      set({ segRun: null });
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (run.signal.aborted) get().setStatus(`Segmentation cancelled after ${finished} of ${todo.length} image${todo.length === 1 ? '' : 's'}.`);
    else {
      const tile = get().lastTile;
      const tileText = tile ? ` Tile ${tile.inputSize}→${tile.outputSize} px, batch ${tile.batch}.` : '';
      get().setStatus(`Segmented ${finished} image${finished === 1 ? '' : 's'} in ${seconds} s${failed ? `, ${failed} failed` : ''}.${tileText}`);
    }
  },

  async segmentShortcut(scope) {
    if (get().loading) {
      get().setStatus(`Segmenting ${scope === 'all' ? 'all images' : 'the image'} once the files have loaded…`);
      await get().whenLoaded();
    }
    const { images, selectedId } = get();
    const ids = scope === 'all' ? images.map((i) => i.id) : selectedId ? [selectedId] : [];
    if (ids.length === 0) {
      get().notify('info', 'There is no image to segment yet: drop or open one first.');
      return;
    }
    await get().segmentImages(ids);
  },

  cancelSegmentation() {
    controller?.abort();
  },

  scheduleInstances(id, delayMs = 150) {
    if (instancesTimer) clearTimeout(instancesTimer);
    instancesTimer = setTimeout(() => {
      instancesTimer = null;
      if (!id) return;
      const state = get();
      const px = getPixels(id);
      const predKey = currentPredictionKey(state, id);
      const key = currentInstancesKey(state, id);
      const probability = predKey ? px?.predictions.get(predKey) : undefined;
      if (!px || !key || !probability || px.instances?.key === key) return;
      const settings = currentObjectSettings(state, id);
      if (!settings) return;
      const copy = probability.slice();
      const intensity = toSingleChannel(px.raster, 'mean').data;
      getImageWorker()
        .call('objects', { probability: copy, width: px.raster.width, height: px.raster.height, settings, intensity }, [copy.buffer, intensity.buffer])
        .then((result) => {
          if (getPixels(id) === px) storeObjects(set, id, key, result);
        })
        .catch((error: unknown) => get().notify('error', `Could not count objects: ${error instanceof Error ? error.message : String(error)}`));
    }, delayMs);
  },
});
