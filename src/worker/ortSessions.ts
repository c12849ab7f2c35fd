import type * as Ort from 'onnxruntime-web';
import type { NhwcArray } from '../model/onnx/dihedralArray';
import { ONNX_INPUT, ONNX_OUTPUT, exportOnnx } from '../model/onnx/exportOnnx';
import type { TileRunner } from '../model/onnx/segmentTiles';
import type { Segmenter } from '../model/types';

/*
 * onnxruntime-web sessions of the worker's models: a model's weights are exported to ONNX in the worker
 * (src/model/onnx, our own writer) and run by onnxruntime-web's WASM or WebGPU execution provider. One
 * session per (engine, weights revision): a fine-tuned model has a new revision, so it is re-exported
 * before onnxruntime runs it, and an unchanged model is exported once.
 */

export type OrtModule = typeof Ort;
export type OrtEngine = 'ort-wasm' | 'ort-webgpu';

/** Loads (and configures, once) the onnxruntime-web build an engine runs on. */
export type OrtLoader = (engine: OrtEngine) => Promise<OrtModule>;

export interface OrtSessions {
  /** A tile runner over the session of `segmenter`'s weights (`revision`), made on first use. */
  runner(engine: OrtEngine, revision: string, segmenter: Segmenter): Promise<TileRunner>;
  /** Releases every session (a backend switch, tests). */
  releaseAll(): Promise<void>;
  /** Keys of the live sessions, oldest first ("engine:revision"). */
  keys(): string[];
}

interface Entry {
  readonly session: Promise<Ort.InferenceSession>;
}

/**
 * Reads every weight asynchronously first: on WebGPU/WebGL tfjs then keeps a CPU copy, so the writer's
 * synchronous reads do not take the synchronous GPU read-back path (which lost the device in Chromium).
 */
async function exportWeights(segmenter: Segmenter): Promise<Uint8Array> {
  await Promise.all(segmenter.model.getWeights().map((w) => w.data()));
  return exportOnnx(segmenter);
}

/** `maxSessions`: sessions kept at once (each holds a copy of its weights); the least recently used goes. */
export function createOrtSessions(load: OrtLoader, maxSessions = 2): OrtSessions {
  const entries = new Map<string, Entry>();

  const release = (entry: Entry) =>
    entry.session.then(
      (s) => s.release(),
      () => undefined,
    );

  const open = async (engine: OrtEngine, segmenter: Segmenter): Promise<Ort.InferenceSession> => {
    const [ort, bytes] = await Promise.all([load(engine), exportWeights(segmenter)]);
    return ort.InferenceSession.create(bytes, {
      executionProviders: [engine === 'ort-webgpu' ? 'webgpu' : 'wasm'],
      graphOptimizationLevel: 'all',
    });
  };

  return {
    async runner(engine, revision, segmenter) {
      const key = `${engine}:${revision}`;
      let entry = entries.get(key);
      if (entry) {
        entries.delete(key);
      } else {
        entry = { session: open(engine, segmenter) };
      }
      entries.set(key, entry);
      for (const [old, value] of entries) {
        if (entries.size <= maxSessions) break;
        entries.delete(old);
        await release(value);
      }
      let session: Ort.InferenceSession;
      try {
        session = await entry.session;
      } catch (error) {
        // A failed start is not cached: the caller marks the engine failed and falls back.
        if (entries.get(key) === entry) entries.delete(key);
        throw error;
      }
      const ort = await load(engine);
      return async (x: NhwcArray): Promise<NhwcArray> => {
        const input = new ort.Tensor('float32', x.data, [...x.dims]);
        const outputs = await session.run({ [ONNX_INPUT]: input });
        const y = outputs[ONNX_OUTPUT];
        const data = (await y.getData(true)) as Float32Array;
        const [n, h, w, c] = y.dims;
        y.dispose();
        return { data, dims: [n, h, w, c] };
      };
    },

    async releaseAll() {
      const all = [...entries.values()];
      entries.clear();
      await Promise.all(all.map(release));
    },

    keys: () => [...entries.keys()],
  };
}
