import { beforeEach, describe, expect, it } from 'vitest';
import type { ExportRequest } from '../image/export';
import type { WorkerClient } from '../worker/client';
import type { CommandName, LoadedModel, Params, Result } from '../worker/protocol';
import { setWorkerClient } from './client';
import type { ImageEntry } from './imagesSlice';
import { setImageWorker } from './imageWorker';
import { addPixels, getPixels, removePixels } from './pixels';
import { createRestoreTarget } from './persist/restoreTarget';
import { restoredResult, resultRecord } from './persist/serialise';
import { currentInstancesKey, currentPredictionKey, exportPrediction, predictionModelId, shownProbability } from './predictions';
import { useStudio } from './store';

/*
 * Per-image models against a scripted worker: Segment all runs each image with its own model (each model
 * loaded once), a cancel keeps the images already done, and All as ZIP exports every segmented image
 * whichever model is selected.
 */

const W = 8;
const H = 6;

function loaded(id: string): LoadedModel {
  return { id, revision: `rev-${id}`, card: { name: id }, random: false, parameters: 10, margin: 0 } as unknown as LoadedModel;
}

function entry(id: string, modelId: string): ImageEntry {
  return { id, name: `${id}.png`, path: id, exportName: id, page: 1, pageCount: 1, width: W, height: H, channels: 1, bitDepth: 8, fileBytes: 0, thumbnailUrl: null, channel: 'mean', modelId };
}

const abortError = () => Object.assign(new Error('Cancelled'), { name: 'AbortError' });

/** A worker whose segmentation of image number `hangAt` (1-based) waits until it is cancelled. */
function scriptedWorker(hangAt = 0, finishedRows = 0) {
  const segments: string[] = [];
  const loads: string[] = [];
  const client: WorkerClient = {
    call<K extends CommandName>(type: K, params: Params<K>, options: { signal?: AbortSignal; onPartial?: (partial: Result<'segment'>) => void } = {}): Promise<Result<K>> {
      if (type === 'loadModel') {
        const { id } = params as Params<'loadModel'>;
        loads.push(id);
        return Promise.resolve(loaded(id) as Result<K>);
      }
      if (type === 'segment') {
        const { modelId } = params as Params<'segment'>;
        segments.push(modelId);
        // The value tells which model made the map.
        const value = modelId === 'em' ? 0.75 : 0.25;
        const result = { width: W, height: H, probabilities: new Float32Array(W * H).fill(value), tile: null, ms: 1, backend: 'cpu' } as unknown as Result<K>;
        if (segments.length !== hangAt) return Promise.resolve(result);
        // With finishedRows, the worker then answers the cancel with the first rows done (as tiles would be).
        return new Promise((_, reject) =>
          options.signal?.addEventListener('abort', () => {
            reject(abortError());
            if (finishedRows === 0) return;
            const probabilities = new Float32Array(W * H).fill(Number.NaN).fill(value, 0, finishedRows * W);
            setTimeout(() => options.onPartial?.({ ...(result as Result<'segment'>), probabilities, partial: { tilesDone: 1, tilesTotal: 3 } }), 5);
          }),
        );
      }
      return Promise.reject(new Error(`unexpected ${type}`));
    },
    onEvent: () => () => {},
    terminate: () => {},
  };
  return { client, segments, loads };
}

function reset(images: ImageEntry[]): void {
  for (const image of useStudio.getState().images) removePixels(image.id);
  for (const image of images) addPixels(image.id, { width: W, height: H, channels: 1, bitDepth: 8, data: new Uint8Array(W * H).fill(9) });
  useStudio.setState({
    images,
    selectedId: images[0].id,
    segmented: {},
    instances: {},
    labelStats: {},
    display: {},
    models: ['nuclei', 'em'].map((id) => ({ id, label: id, source: { kind: 'url', url: id } })),
    modelId: 'nuclei',
    modelStatus: 'ready',
    model: loaded('nuclei'),
    loaded: {},
    segRun: null,
  });
}

describe('segmentation with per-image models', () => {
  const exported: ExportRequest[] = [];

  beforeEach(() => {
    exported.length = 0;
    setImageWorker({
      call: (type: string, params: { request?: ExportRequest }) => {
        if (type === 'export' && params.request) exported.push(params.request);
        if (type === 'zip') return Promise.resolve({ bytes: new Uint8Array(1) });
        if (type === 'export') return Promise.resolve({ files: [] });
        return new Promise(() => {});
      },
      terminate: () => {},
    } as never);
  });

  it('Segment all runs each image with its own model, loading each model once, and caches each under its revision', async () => {
    const worker = scriptedWorker();
    setWorkerClient(worker.client);
    reset([entry('a', 'em'), entry('b', 'nuclei'), entry('c', 'em')]);
    await useStudio.getState().segmentImages(['a', 'b', 'c']);
    expect(worker.segments).toEqual(['em', 'nuclei', 'em']);
    expect(worker.loads.sort()).toEqual(['em', 'nuclei']);
    const state = useStudio.getState();
    expect(Object.keys(state.segmented).sort()).toEqual(['a', 'b', 'c']);
    expect(currentPredictionKey(state, 'a')).toContain('rev-em');
    expect(currentPredictionKey(state, 'b')).toContain('rev-nuclei');
    expect(getPixels('a')!.predictions.get(currentPredictionKey(state, 'a')!)![0]).toBe(0.75);
    expect(getPixels('b')!.predictions.get(currentPredictionKey(state, 'b')!)![0]).toBe(0.25);
  });

  it('a cancelled Segment all keeps the images already done and asks for no more', async () => {
    const worker = scriptedWorker(2);
    setWorkerClient(worker.client);
    reset([entry('a', 'em'), entry('b', 'nuclei'), entry('c', 'em')]);
    const running = useStudio.getState().segmentImages(['a', 'b', 'c']);
    await expect.poll(() => worker.segments.length).toBe(2);
    useStudio.getState().cancelSegmentation();
    await running;
    expect(worker.segments).toEqual(['em', 'nuclei']);
    const state = useStudio.getState();
    expect(Object.keys(state.segmented)).toEqual(['a']);
    expect(getPixels('a')!.predictions.size).toBe(1);
    expect(state.statusText).toMatch(/cancelled after 1 of 3/);
  });

  it('a cancel that kept finished tiles shows them on that image, but never exports or counts them as segmented', async () => {
    const worker = scriptedWorker(1, 2);
    setWorkerClient(worker.client);
    reset([entry('a', 'em'), entry('b', 'nuclei')]);
    const running = useStudio.getState().segmentImages(['a', 'b']);
    await expect.poll(() => worker.segments.length).toBe(1);
    useStudio.getState().cancelSegmentation();
    await running;
    await expect.poll(() => getPixels('a')!.partial).not.toBeNull();
    const state = useStudio.getState();
    const shown = shownProbability(state, 'a');
    expect(shown?.slice(0, 2 * W).every((p) => p === 0.75)).toBe(true);
    expect(shown?.slice(2 * W).every(Number.isNaN)).toBe(true);
    expect(state.segmented).toEqual({});
    expect(exportPrediction(state, 'a')).toBeNull();
    expect(state.statusText).toMatch(/finished 1 of 3 tiles of a\.png are shown/);
    // Choosing another model for the image hides the other model's unfinished map.
    useStudio.setState({ images: state.images.map((i) => (i.id === 'a' ? { ...i, modelId: 'nuclei' } : i)), loaded: { nuclei: loaded('nuclei') } });
    expect(shownProbability(useStudio.getState(), 'a')).toBeNull();
    // Segmenting the image again replaces the unfinished map with the whole result.
    useStudio.setState({ images: state.images });
    await useStudio.getState().segmentImages(['a']);
    expect(getPixels('a')!.partial).toBeNull();
    expect(shownProbability(useStudio.getState(), 'a')?.every((p) => p === 0.75)).toBe(true);
  });

  it('All as ZIP exports every segmented image with its own model\'s result, whichever model is selected', async () => {
    const worker = scriptedWorker();
    setWorkerClient(worker.client);
    reset([entry('a', 'em'), entry('b', 'nuclei'), entry('c', 'nuclei')]);
    await useStudio.getState().segmentImages(['a', 'b']);
    expect(useStudio.getState().modelId).toBe('nuclei');
    // Objects already counted for a's prediction (as the viewer does for the shown image) are reused.
    const key = currentInstancesKey(useStudio.getState(), 'a')!;
    const counted = { key, labels: new Uint32Array(W * H).fill(1), count: 1, sizes: Uint32Array.from([0, W * H]), foreground: W * H, measurements: [] };
    getPixels('a')!.instances = counted;
    await useStudio.getState().exportImages(['a', 'b', 'c'], true);
    expect(exported.map((r) => r.name)).toEqual(['a', 'b', 'c']);
    expect(exported[0].instances?.labels).toBe(counted.labels);
    expect(exported[1].instances).toBeUndefined();
    expect(exported.map((r) => r.probability?.data[0])).toEqual([0.75, 0.25, undefined]);
    const warnings = useStudio.getState().toasts.filter((t) => t.kind === 'warning').map((t) => t.message);
    expect(warnings.some((m) => m.includes('Not segmented yet') && m.includes('c.png') && !m.includes('a.png'))).toBe(true);
  });

  it('exports a result with the post-processing of the model that made it, not that of the model the image has now', async () => {
    setWorkerClient(scriptedWorker().client);
    reset([entry('a', 'em')]);
    useStudio.setState({ postProcessing: {} });
    await useStudio.getState().segmentImages(['a']);
    useStudio.getState().setPostProcessing('em', { threshold: 0.7 });
    useStudio.getState().setPostProcessing('nuclei', { threshold: 0.2 });
    // The image now names a model that has not run on it: its em result is what gets exported.
    useStudio.getState().setImageModel('a', 'nuclei');
    expect(exportPrediction(useStudio.getState(), 'a')?.current).toBe(false);
    await useStudio.getState().exportImages(['a'], false);
    expect(exported[0].probability?.data[0]).toBe(0.75);
    expect(exported[0].postProcessing?.threshold).toBe(0.7);
    // Once nuclei has run on it, its own result goes out with its own settings.
    await useStudio.getState().segmentImages(['a']);
    await useStudio.getState().exportImages(['a'], false);
    expect(exported[1].probability?.data[0]).toBe(0.25);
    expect(exported[1].postProcessing?.threshold).toBe(0.2);
    useStudio.setState({ postProcessing: {} });
  });

  it('exports a result whose model is gone with that model\'s settings, also after a stored session is restored', async () => {
    setWorkerClient(scriptedWorker().client);
    reset([entry('a', 'em')]);
    useStudio.setState({ postProcessing: {} });
    await useStudio.getState().segmentImages(['a']);
    useStudio.getState().setImageModel('a', 'nuclei');
    useStudio.getState().setPostProcessing('nuclei', { threshold: 0.2 });
    // The em model is deleted: nothing loaded has the weights of the image's em result any more.
    const withoutEm = (): void => useStudio.setState((s) => ({ loaded: Object.fromEntries(Object.entries(s.loaded).filter(([k]) => k !== 'em')) }));
    withoutEm();
    const exportedThreshold = async (): Promise<number | undefined> => {
      await useStudio.getState().exportImages(['a'], false);
      expect(exported.at(-1)?.probability?.data[0]).toBe(0.75);
      return exported.at(-1)?.postProcessing?.threshold;
    };
    // The settings it was segmented with (em's card defaults), not those of the image's model now (0.2).
    expect(await exportedThreshold()).toBe(0.5);
    // Settings the user kept for that model in the session still win.
    useStudio.setState((s) => ({ postProcessing: { ...s.postProcessing, em: { ...s.postProcessing.nuclei, threshold: 0.65 } } }));
    expect(await exportedThreshold()).toBe(0.65);
    useStudio.setState((s) => ({ postProcessing: { nuclei: s.postProcessing.nuclei } }));

    // A stored session: the result's record carries its model and settings, and the restore puts them back.
    const px = getPixels('a');
    const key = px ? [...px.madeWith.keys()][0] : '';
    const data = px?.predictions.get(key);
    if (!px || !data) throw new Error('the em result was not kept');
    const record = resultRecord('a', key, W, H, data, px.madeWith.get(key));
    px.madeWith.clear();
    const target = createRestoreTarget(useStudio.setState, useStudio.getState);
    target.setResult(await restoredResult(record));
    expect(px.madeWith.get(key)).toMatchObject({ modelId: 'em', settings: { threshold: 0.5 }, scale: 1 });
    expect(await exportedThreshold()).toBe(0.5);
    // The object scale it was made at comes back with it (the settings' pixels apply at it); a bad one is 1.
    const scaled = { ...record, madeWith: { ...record.madeWith!, scale: 0.5 } };
    target.setResult(await restoredResult(scaled));
    expect(px.madeWith.get(key)?.scale).toBe(0.5);
    target.setResult(await restoredResult({ ...record, madeWith: { ...record.madeWith!, scale: -1 } }));
    expect(px.madeWith.get(key)?.scale).toBe(1);
    // A record with broken settings restores its map and loses only them.
    target.setResult(await restoredResult({ ...record, madeWith: { modelId: 'em', settings: { objects: 'foreground', threshold: 7 } as never } }));
    expect(px.predictions.has(key)).toBe(true);
    expect(px.madeWith.has(key)).toBe(false);
    useStudio.setState({ postProcessing: {} });
  });

  it('finds the model of a prediction by its weights: the image\'s own first, then the selected one, then any loaded one', () => {
    reset([entry('a', 'copy')]);
    // 'copy' has the weights of 'em' (a duplicated model keeps the revision); 'nuclei' is selected.
    const copy = { ...loaded('em'), id: 'copy' } as LoadedModel;
    useStudio.setState({ loaded: { em: loaded('em'), copy, nuclei: loaded('nuclei') } });
    const state = useStudio.getState();
    expect(predictionModelId(state, 'a', 'rev=rev-em|ch=mean')).toBe('copy');
    expect(predictionModelId(state, 'a', 'rev=rev-nuclei+tta|ch=mean')).toBe('nuclei');
    useStudio.setState({ images: [entry('a', 'nuclei')] });
    expect(predictionModelId(useStudio.getState(), 'a', 'rev=rev-em|ch=mean')).toBe('em');
    expect(predictionModelId(useStudio.getState(), 'a', 'rev=rev-gone|ch=mean')).toBeNull();
  });
});
