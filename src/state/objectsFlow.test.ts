import { beforeEach, describe, expect, it, vi } from 'vitest';
import { groundTruthProblem, scoreProbabilities } from '../image/evaluation';
import { computeImageObjects } from '../image/imageObjects';
import { atObjectScale, defaultPostProcessing, type PostProcessing } from '../image/postProcessing';
import type { RasterImage } from '../image/types';
import type { ImageCommand, ImageParams, ImageResult } from '../worker/decodeProtocol';
import type { WorkerClient } from '../worker/client';
import type { CommandName, LoadedModel, Params, Result } from '../worker/protocol';
import { setWorkerClient } from './client';
import type { ImageEntry } from './imagesSlice';
import { setImageWorker } from './imageWorker';
import { instancesKey } from './keys';
import { addPixels, getPixels, removePixels } from './pixels';
import { currentInstances, currentPredictionKey, imageSettings } from './predictions';
import { useStudio } from './store';

/*
 * Objects where the data is: a segmentation brings its objects from the model worker (computed there with
 * the image's post-processing settings), a settings change re-labels in the image worker without running
 * the model, and ground truth is scored with the CLI's function. Both workers are scripted here, their
 * work done by the same src/image functions the real workers call.
 */

const W = 40;
const H = 30;
/** Two 8x8 squares of probability 0.9 on 0.1, 4 px apart. */
const probability = Float32Array.from({ length: W * H }, (_, i) => {
  const x = i % W;
  const y = Math.floor(i / W);
  return y >= 10 && y < 18 && ((x >= 6 && x < 14) || (x >= 18 && x < 26)) ? 0.9 : 0.1;
});

function loaded(id: string, task: 'nuclei' | 'membranes', postProcessing?: PostProcessing): LoadedModel {
  return { id, revision: `rev-${id}`, card: { name: id, task, ...(postProcessing ? { postProcessing } : {}) }, random: false, parameters: 10, margin: 0 } as unknown as LoadedModel;
}

const cardSettings: PostProcessing = { ...defaultPostProcessing('foreground'), smoothing: 0, minSize: 3, threshold: 0.6 };
const models: Record<string, LoadedModel> = { nuclei: loaded('nuclei', 'nuclei', cardSettings), em: loaded('em', 'membranes') };

/** The scripted model worker; `scale`: it reports that object scale, and makes its objects at it as the real one does. */
function modelWorker(scale = 1) {
  const segments: Params<'segment'>[] = [];
  const client: WorkerClient = {
    call<K extends CommandName>(type: K, params: Params<K>): Promise<Result<K>> {
      if (type === 'loadModel') return Promise.resolve(models[(params as Params<'loadModel'>).id] as Result<K>);
      if (type === 'segment') {
        const p = params as Params<'segment'>;
        segments.push(p);
        const objects = p.objects && computeImageObjects(probability, W, H, atObjectScale(p.objects.settings, scale), p.objects.intensity ?? p.image.data);
        const objectScale = scale === 1 ? {} : { objectScale: { diameter: 30, source: 'estimate', scale, trainingDiameter: 15 } };
        return Promise.resolve({ width: W, height: H, probabilities: probability.slice(), tile: null, ms: 1, backend: 'cpu', ...objectScale, ...(objects ? { objects } : {}) } as unknown as Result<K>);
      }
      return Promise.reject(new Error(`unexpected ${type}`));
    },
    onEvent: () => () => {},
    terminate: () => {},
  };
  return { client, segments };
}

function imageWorker(truth: RasterImage) {
  const calls: { type: ImageCommand; params: unknown }[] = [];
  setImageWorker({
    call<K extends ImageCommand>(type: K, params: ImageParams<K>): Promise<ImageResult<K>> {
      calls.push({ type, params });
      if (type === 'objects') {
        const p = params as ImageParams<'objects'>;
        return Promise.resolve(computeImageObjects(p.probability, p.width, p.height, p.settings, p.intensity) as ImageResult<K>);
      }
      if (type === 'decode') return Promise.resolve({ pages: [{ raster: truth, thumbnail: null }] } as ImageResult<K>);
      if (type === 'evaluate') {
        const p = params as ImageParams<'evaluate'>;
        const problem = groundTruthProblem(p.truth, p.width, p.height, p.options.task, p.options.labelsFormat, p.options.membraneValue);
        if (problem) return Promise.reject(Object.assign(new Error(problem), { name: 'GroundTruthError' }));
        return Promise.resolve({ metrics: p.probability && scoreProbabilities(p.probability, p.truth, p.options) } as ImageResult<K>);
      }
      return new Promise(() => {});
    },
    terminate: () => {},
  });
  return calls;
}

function entry(id: string, modelId: string): ImageEntry {
  return { id, name: `${id}.png`, path: id, exportName: id, page: 1, pageCount: 1, width: W, height: H, channels: 1, bitDepth: 8, fileBytes: 0, thumbnailUrl: null, channel: 'mean', modelId };
}

function reset(images: ImageEntry[]): void {
  for (const image of useStudio.getState().images) removePixels(image.id);
  for (const image of images) addPixels(image.id, { width: W, height: H, channels: 1, bitDepth: 8, data: new Uint8Array(W * H).fill(9) });
  useStudio.setState({
    images, selectedId: images[0].id, segmented: {}, instances: {}, labelStats: {}, display: {}, postProcessing: {}, groundTruth: {}, evaluations: {}, toasts: [],
    models: Object.keys(models).map((id) => ({ id, label: id, source: { kind: 'url', url: id } })),
    modelId: 'nuclei', modelStatus: 'ready', model: models.nuclei, loaded: {}, segRun: null,
  });
}

/** Instance ground truth: the two squares as objects 1 and 2, the second one 2 px narrower. */
function truthRaster(width = W, height = H): RasterImage {
  const data = new Uint16Array(width * height);
  for (let y = 10; y < 18; y++) for (let x = 6; x < 14; x++) data[y * width + x] = 1;
  for (let y = 10; y < 18; y++) for (let x = 18; x < 24; x++) data[y * width + x] = 2;
  return { width, height, channels: 1, bitDepth: 16, data };
}

const file = (name: string) => new File([new Uint8Array(1)], name);

describe('objects where the data is', () => {
  let imageCalls: { type: ImageCommand; params: unknown }[];
  beforeEach(() => {
    vi.useRealTimers();
    imageCalls = imageWorker(truthRaster());
  });

  it('a model starts from its card\'s post-processing, else the defaults of its task\'s kind', async () => {
    reset([entry('a', 'nuclei'), entry('b', 'em')]);
    useStudio.setState({ loaded: models });
    expect(imageSettings(useStudio.getState(), 'a')).toEqual(cardSettings);
    expect(imageSettings(useStudio.getState(), 'b')).toEqual(defaultPostProcessing('cells'));
  });

  it('a segmentation brings its objects and measurements from the model worker; nothing is labelled twice', async () => {
    const worker = modelWorker();
    setWorkerClient(worker.client);
    reset([entry('a', 'nuclei')]);
    await useStudio.getState().segmentImages(['a']);
    expect(worker.segments[0].objects?.settings).toEqual(cardSettings);
    const instances = currentInstances(useStudio.getState(), 'a');
    expect(instances?.count).toBe(2);
    expect(instances?.measurements.map((m) => [m.id, m.area, m.meanIntensity])).toEqual([[1, 64, 9], [2, 64, 9]]);
    expect(useStudio.getState().instances.a).toMatchObject({ count: 2, foreground: 128 });
    await new Promise((r) => setTimeout(r, 20));
    expect(imageCalls.filter((c) => c.type === 'objects')).toHaveLength(0);
  });

  it('changed settings re-label the cached probability in the image worker, without running the model', async () => {
    const worker = modelWorker();
    setWorkerClient(worker.client);
    reset([entry('a', 'nuclei')]);
    await useStudio.getState().segmentImages(['a']);
    useStudio.getState().setPostProcessing('nuclei', { threshold: 0.95 });
    await vi.waitFor(() => expect(useStudio.getState().instances.a?.count).toBe(0));
    const call = imageCalls.find((c) => c.type === 'objects')?.params as ImageParams<'objects'>;
    expect(call.settings).toEqual({ ...cardSettings, threshold: 0.95 });
    expect([...call.probability]).toEqual([...probability]);
    expect(worker.segments).toHaveLength(1);
    expect(getPixels('a')!.instances?.key).toBe(instancesKey(currentPredictionKey(useStudio.getState(), 'a')!, { ...cardSettings, threshold: 0.95 }));

    // Invalid values are refused with a message and change nothing; Reset goes back to the card's.
    useStudio.getState().setPostProcessing('nuclei', { threshold: 2 });
    expect(imageSettings(useStudio.getState(), 'a')?.threshold).toBe(0.95);
    expect(useStudio.getState().toasts.some((t) => /threshold must be in \[0, 1\]/.test(t.message))).toBe(true);
    useStudio.getState().resetPostProcessing('nuclei');
    expect(imageSettings(useStudio.getState(), 'a')).toEqual(cardSettings);
    expect(useStudio.getState().postProcessing).toEqual({});
  });

  it('ground truth is scored with the CLI\'s function; bad ground truth gives a message and keeps the good one', async () => {
    setWorkerClient(modelWorker().client);
    reset([entry('a', 'nuclei')]);
    await useStudio.getState().segmentImages(['a']);
    await useStudio.getState().loadGroundTruth('a', file('truth.png'));
    const result = useStudio.getState().evaluations.a;
    const expected = scoreProbabilities(probability, truthRaster(), { task: 'nuclei', labelsFormat: 'instance', membraneValue: 0, postProcessing: cardSettings });
    expect(result?.metrics).toEqual(expected);
    // By hand: predicted squares of 64 px; truth 64 and 48 px inside them: IoU 112/128, both matched.
    expect(result?.metrics.iou).toBeCloseTo(112 / 128, 10);
    expect(result?.metrics.ap).toBe(1);

    imageWorker(truthRaster(W + 1, H));
    await useStudio.getState().loadGroundTruth('a', file('wrong-size.png'));
    imageWorker({ width: W, height: H, channels: 1, bitDepth: 8, data: new Uint8Array(W * H) });
    await useStudio.getState().loadGroundTruth('a', file('empty.png'));
    const errors = useStudio.getState().toasts.filter((t) => t.kind === 'error').map((t) => t.message);
    expect(errors).toEqual([
      expect.stringMatching(/wrong-size\.png not used: it is 41x30 but a\.png is 40x30/),
      expect.stringMatching(/empty\.png not used: the ground truth has no foreground/),
    ]);
    expect(useStudio.getState().groundTruth.a?.name).toBe('truth.png');
    expect(useStudio.getState().evaluations.a?.metrics).toEqual(expected);
  });

  it('a prediction made at an object scale gets its objects, re-labelling and scores at that scale', async () => {
    setWorkerClient(modelWorker(0.5).client);
    reset([entry('a', 'nuclei')]);
    await useStudio.getState().segmentImages(['a']);
    const key = currentPredictionKey(useStudio.getState(), 'a')!;
    expect(getPixels('a')!.madeWith.get(key)).toMatchObject({ modelId: 'nuclei', scale: 0.5 });
    // The card's minimum size (3 model pixels) is 12 pixels of this image: both 64-px squares stay.
    expect(currentInstances(useStudio.getState(), 'a')?.count).toBe(2);
    useStudio.getState().setPostProcessing('nuclei', { minSize: 20 });
    await vi.waitFor(() => expect(useStudio.getState().instances.a?.count).toBe(0));
    const call = imageCalls.find((c) => c.type === 'objects')?.params as ImageParams<'objects'>;
    expect(call.settings).toEqual(atObjectScale({ ...cardSettings, minSize: 20 }, 0.5));
    expect(call.settings.minSize).toBe(80);
    // Instances are keyed by the user's settings, so a change back finds them again.
    expect(getPixels('a')!.instances?.key).toBe(instancesKey(key, { ...cardSettings, minSize: 20 }));
    await useStudio.getState().loadGroundTruth('a', file('truth.png'));
    const evaluate = imageCalls.filter((c) => c.type === 'evaluate').at(-1)?.params as ImageParams<'evaluate'>;
    expect(evaluate.options.postProcessing).toEqual(atObjectScale({ ...cardSettings, minSize: 20 }, 0.5));
    expect(useStudio.getState().evaluations.a?.metrics.ap).toBe(0);
    useStudio.getState().resetPostProcessing('nuclei');
  });
});
