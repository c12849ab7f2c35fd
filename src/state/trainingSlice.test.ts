import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { beginStroke } from '../image/history';
import { paintSegment } from '../image/labels';
import type { WorkerClient } from '../worker/client';
import type { CommandName, FineTuneEvent, LoadedModel, Params, Result, TrainingRecipe, TuningRecord } from '../worker/protocol';
import { setWorkerClient } from './client';
import type { ImageEntry } from './imagesSlice';
import { setImageWorker } from './imageWorker';
import { addPixels, ensureLabels, getPixels } from './pixels';
import { useStudio } from './store';
import { initialSplitState } from './splitSlice';
import { initialTrainingState } from './trainingSlice';

/*
 * The fine-tune flow of the store against a scripted worker: what is sent (training and held-out labels,
 * the preview crop, strokes painted during the run), what comes back (a new model in the list, selected
 * and used), and the clear refusal of labels that cannot train.
 */

const W = 96;
const H = 80;

const recipe: TrainingRecipe = {
  loss: { w0: 0, sigma: 5, balanceClasses: false, objectClass: 2 },
  augment: false,
  tileSize: 252,
  batchSize: 1,
  optimizer: 'adam',
  learningRate: 1e-3,
  schedule: 'constant',
  fineTune: { optimizer: 'adam', learningRate: 1e-4, schedule: 'constant', steps: 40, distillation: 1, encoderLrScale: 1, validationFraction: 0.25, validateEvery: 10, patience: 3 },
};

function loaded(id: string, name: string, tuning?: TuningRecord): LoadedModel {
  return {
    id,
    revision: `${id}-rev`,
    card: {
      name,
      task: 'nuclei',
      description: '',
      architecture: { depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0, padding: 'valid' },
      normalization: { mode: 'percentile', low: 1, high: 99.8 },
      foregroundClass: 1,
      createdAt: `${id}-rev`,
      trainedSteps: 10,
    },
    recipe,
    ...(tuning ? { tuning } : {}),
    random: false,
    parameters: 1000,
    margin: 20,
  };
}

type Call = { type: CommandName; params: unknown; transfer: readonly ArrayBuffer[] };

/** A worker that records calls; `fineTune` waits until the test finishes it. */
function scriptedWorker() {
  const calls: Call[] = [];
  let emit: ((e: FineTuneEvent) => void) | null = null;
  let finish: ((result: Result<'fineTune'>) => void) | null = null;
  const client: WorkerClient = {
    call<K extends CommandName>(type: K, params: Params<K>, options: { transfer?: readonly ArrayBuffer[]; onProgress?: (p: never) => void } = {}): Promise<Result<K>> {
      calls.push({ type, params, transfer: options.transfer ?? [] });
      const answer = (value: unknown) => Promise.resolve(value as Result<K>);
      if (type === 'fineTune') {
        emit = options.onProgress as unknown as (e: FineTuneEvent) => void;
        return new Promise((resolve) => (finish = resolve as (r: Result<'fineTune'>) => void));
      }
      if (type === 'loadModel') {
        const p = params as Params<'loadModel'>;
        return answer(loaded(p.id, p.id === 'nuclei' ? 'nuclei' : 'nuclei · tuned 1'));
      }
      if (type === 'segment') return answer({ width: W, height: H, probabilities: new Float32Array(W * H).fill(0.25), tile: null, ms: 1, backend: 'cpu' });
      if (type === 'updateFineTune') return answer({ accepted: true });
      if (type === 'stopFineTune') return answer({ stopping: true });
      return Promise.reject(new Error(`unexpected ${type}`));
    },
    onEvent: () => () => {},
    terminate: () => {},
  };
  return {
    client,
    calls,
    emit: (e: FineTuneEvent) => emit?.(e),
    finish: (r: Result<'fineTune'>) => finish?.(r),
  };
}

function entry(id: string): ImageEntry {
  return { id, name: `${id}.png`, path: id, exportName: id, page: 1, pageCount: 1, width: W, height: H, channels: 1, bitDepth: 8, fileBytes: 0, thumbnailUrl: null, channel: 'mean', modelId: null };
}

function stroke(id: string, x0: number, y0: number, x1: number, y1: number, value: 1 | 2): void {
  const canvas = ensureLabels(getPixels(id)!);
  const s = beginStroke(canvas);
  paintSegment(canvas, x0, y0, x1, y1, 2, value, s.extend);
  useStudio.getState().finishStep(id, s.commit());
}

const flush = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('training slice', () => {
  let worker: ReturnType<typeof scriptedWorker>;

  beforeEach(() => {
    worker = scriptedWorker();
    setWorkerClient(worker.client);
    setImageWorker({ call: () => new Promise(() => {}), terminate: () => {} } as never);
    const data = new Uint8Array(W * H).map((_, i) => (i * 37) % 251);
    addPixels('a', { width: W, height: H, channels: 1, bitDepth: 8, data });
    useStudio.setState({
      ...initialTrainingState,
      ...initialSplitState,
      images: [entry('a')],
      selectedId: 'a',
      labelStats: {},
      viewport: { width: 400, height: 300 },
      views: {},
      models: [{ id: 'nuclei', label: 'nuclei', source: { kind: 'url', url: 'x' } }],
      modelId: 'nuclei',
      modelStatus: 'ready',
      model: loaded('nuclei', 'nuclei'),
    });
  });

  afterEach(async () => {
    // Let the debounced object count of the last segmentation reach the fake image worker.
    await flush(20);
  });

  it('refuses one class with a clear message and never calls the worker', async () => {
    stroke('a', 5, 5, 40, 5, 2);
    stroke('a', 5, 30, 40, 30, 2);
    await useStudio.getState().trainOnPaintedLabels();
    expect(worker.calls.filter((c) => c.type === 'fineTune')).toHaveLength(0);
    expect(useStudio.getState().statusText).toContain('Paint some background too');
  });

  it('sends training and held-out labels, follows new strokes, and lists, selects and uses the tuned model', async () => {
    // Eight separate strokes: 4 of each class.
    for (let k = 0; k < 4; k++) {
      stroke('a', 4, 6 + 18 * k, 40, 6 + 18 * k, 2);
      stroke('a', 52, 6 + 18 * k, 90, 6 + 18 * k, 1);
    }
    useStudio.getState().refreshSplits();
    const split = useStudio.getState().splits.a;
    expect(split.regions).toBe(8);
    expect(split.heldOutRegions).toBeGreaterThan(0);
    const heldOut = getPixels('a')!.heldOut!;
    expect(heldOut.some((v) => v !== 0)).toBe(true);

    const training = useStudio.getState().trainOnPaintedLabels();
    const call = worker.calls.find((c) => c.type === 'fineTune')!;
    const params = call.params as Params<'fineTune'>;
    expect(params).toMatchObject({ parentId: 'nuclei', modelId: 'nuclei~tuned-1', name: 'nuclei · tuned 1', overrides: {} });
    const [img] = params.images;
    const painted = getPixels('a')!.labels!.data;
    // Training and held-out labels are disjoint, together they are the painting, and the held-out part is what the viewer hatches.
    for (let i = 0; i < painted.length; i++) {
      expect(img.labels[i] !== 0 && img.validation![i] !== 0).toBe(false);
      expect(img.labels[i] || img.validation![i]).toBe(painted[i]);
    }
    expect(Array.from(img.validation!)).toEqual(Array.from(heldOut));
    expect(call.transfer).toContain(img.labels.buffer);
    expect(call.transfer).toContain(img.validation!.buffer);
    // The preview crop is the visible image (all of it here) on the pooling grid.
    expect(params.preview).toMatchObject({ imageId: 'a', x: 0, y: 0, inner: { x: 0, y: 0, width: W, height: H } });
    expect(useStudio.getState().trainRun).toMatchObject({ phase: 'waiting', steps: 40 });

    worker.emit({ kind: 'validation', point: { step: 0, best: true, loss: 0.6, pixelAccuracy: 0.7, foregroundIou: 0.5, pixels: 100 } });
    worker.emit({ kind: 'step', step: 1, steps: 40, loss: 0.5, smoothedLoss: 0.5, learningRate: 1e-4, msPerStep: 200, labelledPixels: 300, etaMs: 7800 });
    expect(useStudio.getState().trainRun).toMatchObject({ phase: 'training', step: 1, etaMs: 7800 });
    expect(useStudio.getState().trainCurve.loss).toEqual([0.5]);

    // A stroke painted during the run goes to the worker as training labels; held-out pixels stay out.
    const hatched = heldOut.findIndex((v) => v !== 0);
    const hx = hatched % W;
    const hy = Math.floor(hatched / W);
    stroke('a', hx, hy, hx + 3, hy, 2);
    stroke('a', 10, 75, 60, 75, 1);
    await flush(350);
    const update = worker.calls.find((c) => c.type === 'updateFineTune' && (c.params as Params<'updateFineTune'>).images)!;
    const sent = (update.params as Params<'updateFineTune'>).images![0];
    expect(sent.image).toBeUndefined();
    expect(sent.labels[75 * W + 30]).toBe(1);
    expect(sent.labels[hatched]).toBe(0);

    // A live preview is pasted into the shown probability map.
    const probabilities = new Float32Array(10 * 5).fill(0.9);
    worker.emit({ kind: 'preview', step: 1, imageId: 'a', x: 20, y: 10, width: 10, height: 5, probabilities });
    const shown = getPixels('a')!.preview!;
    expect(shown[12 * W + 25]).toBeCloseTo(0.9);
    expect(shown[0]).toBe(0);

    const record: TuningRecord = {
      parentId: 'nuclei', parentName: 'nuclei', steps: 17, requestedSteps: 40, bestStep: 10, kept: 'tuned', message: 'Kept the weights of step 10.',
      aborted: true, stoppedEarly: false, images: 1, before: { loss: 0.6, pixelAccuracy: 0.7, foregroundIou: 0.5, pixels: 100 },
      after: { loss: 0.4, pixelAccuracy: 0.8, foregroundIou: 0.6, pixels: 100 }, settings: recipe.fineTune, msPerStep: 200, tileSize: 124, outputTileSize: 84, finishedAt: 'now',
    };
    worker.finish({ model: loaded('nuclei~tuned-1', 'nuclei · tuned 1', record) });
    await training;
    const s = useStudio.getState();
    expect(s.trainRun).toBeNull();
    expect(getPixels('a')!.preview).toBeNull();
    expect(s.models.map((m) => m.id)).toEqual(['nuclei', 'nuclei~tuned-1']);
    expect(s.models[1]).toMatchObject({ label: 'nuclei · tuned 1', source: { kind: 'session' }, tuning: { steps: 17, bestStep: 10 } });
    expect(s.modelId).toBe('nuclei~tuned-1');
    expect(s.lastTuning?.record.kept).toBe('tuned');
    expect(s.statusText).toContain('Kept the weights of step 10. (17 of 40 steps, stopped)');
    const segment = worker.calls.filter((c) => c.type === 'segment').at(-1)!;
    expect((segment.params as Params<'segment'>).modelId).toBe('nuclei~tuned-1');
  });
});
