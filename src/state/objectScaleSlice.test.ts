import { describe, expect, it } from 'vitest';
import type { WorkerClient } from '../worker/client';
import type { CommandName, LoadedModel, Params, Result, SegmentOptions } from '../worker/protocol';
import { setWorkerClient } from './client';
import type { ImageEntry } from './imagesSlice';
import { setImageWorker } from './imageWorker';
import { diameterChoice, trainingScale } from './objectScaleSlice';
import { addPixels, removePixels } from './pixels';
import { currentPredictionKey } from './predictions';
import { useStudio } from './store';

/* The object-scale choice travels from the store to the worker's segment request and back as a report. */

const W = 8;
const H = 6;

function model(id: string, card: Record<string, unknown>): LoadedModel {
  return { id, revision: `rev-${id}`, card: { name: id, ...card }, random: false, parameters: 10, margin: 0 } as unknown as LoadedModel;
}

const models: Record<string, LoadedModel> = {
  nuclei: model('nuclei', { objectDiameter: 15, rescale: 'auto' }),
  plain: model('plain', {}),
};

function worker(requests: SegmentOptions[]): WorkerClient {
  return {
    call<K extends CommandName>(type: K, params: Params<K>): Promise<Result<K>> {
      if (type === 'loadModel') return Promise.resolve(models[(params as Params<'loadModel'>).id] as Result<K>);
      if (type === 'segment') {
        const { options } = params as Params<'segment'>;
        requests.push(options);
        const objectScale = options.diameter === undefined ? undefined : {
          diameter: options.diameter === 'auto' ? 45 : options.diameter,
          source: options.diameter === 'auto' ? 'estimate' : 'user',
          scale: 15 / (options.diameter === 'auto' ? 45 : options.diameter),
          trainingDiameter: 15,
        };
        return Promise.resolve({ width: W, height: H, probabilities: new Float32Array(W * H), tile: null, ms: 1, backend: 'cpu', objectScale } as unknown as Result<K>);
      }
      return Promise.reject(new Error(`unexpected ${type}`));
    },
    onEvent: () => () => {},
    terminate: () => {},
  };
}

function setUp(modelId: string): SegmentOptions[] {
  const requests: SegmentOptions[] = [];
  setWorkerClient(worker(requests));
  setImageWorker({ call: () => new Promise(() => {}), terminate: () => {} } as never);
  for (const image of useStudio.getState().images) removePixels(image.id);
  const image: ImageEntry = { id: 'a', name: 'a.png', path: 'a', exportName: 'a', page: 1, pageCount: 1, width: W, height: H, channels: 1, bitDepth: 8, fileBytes: 0, thumbnailUrl: null, channel: 'mean', modelId };
  addPixels('a', { width: W, height: H, channels: 1, bitDepth: 8, data: new Uint8Array(W * H) });
  useStudio.setState({
    images: [image], selectedId: 'a', segmented: {}, instances: {}, models: [], modelId, modelStatus: 'ready',
    model: models[modelId], loaded: { [modelId]: models[modelId] }, segRun: null, diameterOverrides: {}, objectScales: {},
  });
  return requests;
}

describe('object scale in the app state', () => {
  it("asks the worker to estimate for a model whose card says 'auto', and keeps the estimate", async () => {
    const requests = setUp('nuclei');
    await useStudio.getState().segmentImages(['a']);
    expect(requests.map((r) => r.diameter)).toEqual(['auto']);
    expect(useStudio.getState().objectScales.a).toMatchObject({ diameter: 45, source: 'estimate', trainingDiameter: 15 });
  });

  it('a user diameter or off is a new prediction, segmented with that setting', async () => {
    const requests = setUp('nuclei');
    await useStudio.getState().segmentImages(['a']);
    const autoKey = currentPredictionKey(useStudio.getState(), 'a');
    useStudio.getState().setDiameterOverride('a', 30);
    expect(currentPredictionKey(useStudio.getState(), 'a')).not.toBe(autoKey);
    await useStudio.getState().segmentImages(['a']);
    expect(useStudio.getState().objectScales.a).toMatchObject({ diameter: 30, source: 'user', scale: 0.5 });
    useStudio.getState().setDiameterOverride('a', 'off');
    await useStudio.getState().segmentImages(['a']);
    expect(requests.map((r) => r.diameter)).toEqual(['auto', 30, undefined]);
    expect(useStudio.getState().objectScales.a).toBeUndefined();
    // Back to the model's default: the first prediction is still cached, nothing runs.
    useStudio.getState().setDiameterOverride('a', null);
    expect(currentPredictionKey(useStudio.getState(), 'a')).toBe(autoKey);
    await useStudio.getState().segmentImages(['a']);
    expect(requests.length).toBe(3);
  });

  it('never rescales for a model without a training diameter', async () => {
    const requests = setUp('plain');
    useStudio.getState().setDiameterOverride('a', 30);
    await useStudio.getState().segmentImages(['a']);
    expect(requests.map((r) => r.diameter)).toEqual([undefined]);
    expect(diameterChoice({ a: 30 }, 'a', undefined)).toBe('off');
    expect(diameterChoice({}, 'a', { objectDiameter: 15, rescale: 'off' })).toBe('off');
    expect(diameterChoice({}, 'a', { objectDiameter: 15, rescale: 'auto' })).toBe('auto');
  });

  it('a fine-tune trains each image at the scale its segmentation used, or at the user diameter', () => {
    const card = { objectDiameter: 15, rescale: 'auto' as const };
    const estimate = { diameter: 45, source: 'estimate' as const, scale: 0.5, trainingDiameter: 15 };
    // The last segmentation's own scale (clamped to 0.5 from 15/45).
    expect(trainingScale({}, { a: estimate }, 'a', card)).toBe(0.5);
    // Made for another training diameter: the estimate's scale under this card (30 / 45).
    expect(trainingScale({}, { a: { ...estimate, trainingDiameter: 20 } }, 'a', { objectDiameter: 30, rescale: 'auto' })).toBeCloseTo(2 / 3, 12);
    // The user's diameter wins; off, no estimate yet, nothing measured, or no training diameter: scale 1.
    expect(trainingScale({ a: 20 }, { a: estimate }, 'a', card)).toBe(0.75);
    expect(trainingScale({ a: 'off' }, { a: estimate }, 'a', card)).toBe(1);
    expect(trainingScale({}, {}, 'a', card)).toBe(1);
    expect(trainingScale({}, { a: { ...estimate, diameter: null } }, 'a', card)).toBe(1);
    expect(trainingScale({ a: 30 }, { a: estimate }, 'a', {})).toBe(1);
  });
});
