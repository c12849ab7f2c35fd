import { beforeEach, describe, expect, it } from 'vitest';
import type { WorkerClient } from '../worker/client';
import type { CommandName, LoadedModel, Params, Result } from '../worker/protocol';
import { setWorkerClient } from './client';
import { setImageWorker } from './imageWorker';
import { removePixels } from './pixels';
import { useStudio } from './store';

/*
 * The S shortcut right after a drop: the files are still decoding, so there is no selected image yet. It used
 * to do nothing; now it waits for the decoding and then segments, and with no image at all it says so.
 */

const W = 6;
const H = 4;

function loadedModel(): LoadedModel {
  return { id: 'nuclei', revision: 'rev-nuclei', card: { name: 'nuclei' }, random: false, parameters: 10, margin: 0 } as unknown as LoadedModel;
}

/** A model worker that records which models it segmented with. */
function recordingWorker(): { client: WorkerClient; segments: string[] } {
  const segments: string[] = [];
  const client: WorkerClient = {
    call<K extends CommandName>(type: K, params: Params<K>): Promise<Result<K>> {
      if (type === 'loadModel') return Promise.resolve(loadedModel() as Result<K>);
      if (type === 'segment') {
        segments.push((params as Params<'segment'>).modelId);
        return Promise.resolve({ width: W, height: H, probabilities: new Float32Array(W * H).fill(0.2), tile: null, ms: 1, backend: 'cpu' } as unknown as Result<K>);
      }
      return Promise.reject(new Error(`unexpected ${type}`));
    },
    onEvent: () => () => {},
    terminate: () => {},
  };
  return { client, segments };
}

/** An image worker whose decodes wait until `release` is called. */
function slowDecoder(): { release: () => void } {
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  setImageWorker({
    call: async (type: string) => {
      if (type !== 'decode') return new Promise(() => {});
      await gate;
      return { pages: [{ raster: { width: W, height: H, channels: 1, bitDepth: 8, data: new Uint8Array(W * H).fill(7) }, thumbnail: null }] };
    },
    terminate: () => {},
  } as never);
  return { release };
}

const file = (name: string, byte: number) => ({ file: new File([new Uint8Array([byte, 1, 2])], name), path: name });

describe('the S shortcut', () => {
  beforeEach(() => {
    for (const image of useStudio.getState().images) removePixels(image.id);
    useStudio.setState({
      images: [],
      selectedId: null,
      loading: null,
      segmented: {},
      instances: {},
      labelStats: {},
      display: {},
      toasts: [],
      models: [{ id: 'nuclei', label: 'nuclei', source: { kind: 'url', url: 'nuclei' } }],
      modelId: 'nuclei',
      modelStatus: 'ready',
      model: loadedModel(),
      loaded: {},
      segRun: null,
    });
  });

  it('pressed while the dropped files decode, segments the first image once it has loaded', async () => {
    const worker = recordingWorker();
    setWorkerClient(worker.client);
    const decoder = slowDecoder();
    const adding = useStudio.getState().addFiles([file('a.png', 1), file('b.png', 2)]);
    expect(useStudio.getState().selectedId).toBeNull();
    const pressed = useStudio.getState().segmentShortcut('selected');
    expect(useStudio.getState().statusText).toMatch(/once the files have loaded/);
    expect(worker.segments).toEqual([]);
    decoder.release();
    await adding;
    await pressed;
    const { images, selectedId } = useStudio.getState();
    expect(images.map((i) => i.name)).toEqual(['a.png', 'b.png']);
    expect(selectedId).toBe(images[0].id);
    expect(worker.segments).toEqual(['nuclei']);
    expect(useStudio.getState().segmented[images[0].id]).toHaveLength(1);
    expect(useStudio.getState().segmented[images[1].id]).toBeUndefined();
  });

  it('with Shift, pressed while decoding, segments every image of the drop', async () => {
    const worker = recordingWorker();
    setWorkerClient(worker.client);
    const decoder = slowDecoder();
    void useStudio.getState().addFiles([file('a.png', 3), file('b.png', 4), file('c.png', 5)]);
    const pressed = useStudio.getState().segmentShortcut('all');
    decoder.release();
    await pressed;
    expect(worker.segments).toEqual(['nuclei', 'nuclei', 'nuclei']);
    for (const image of useStudio.getState().images) expect(useStudio.getState().segmented[image.id]).toHaveLength(1);
  });

  it('with no image and nothing loading, says there is nothing to segment and calls no model', async () => {
    const worker = recordingWorker();
    setWorkerClient(worker.client);
    await useStudio.getState().segmentShortcut('selected');
    expect(worker.segments).toEqual([]);
    expect(useStudio.getState().toasts.map((t) => t.message)).toEqual(['There is no image to segment yet: drop or open one first.']);
  });
});
