import * as tf from '@tensorflow/tfjs';
import { startModelWorker } from './inProcessWorker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingRecipe } from '../model/recipe';
import { type WorkerClient } from './client';
import { AUTO_ENGINE } from './engineChoice';
import { type InferenceState } from './modelHandlers';
import { createOrtSessions, type OrtModule } from './ortSessions';
import type { InferenceEnginePreference, ModelSource, PlaneMessage } from './protocol';

/*
 * The segment command with the engine setting, in Node through the real dispatcher and handlers: ort-wasm
 * (onnxruntime-web's Node build) answers the tfjs map within 1e-4 and says it ran; an engine that cannot
 * start is remembered as failed and the same request still succeeds on the next engine in line.
 */

const tiny: ModelSource = { kind: 'random', name: 'tiny', config: { depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 5 } };

function startWorker(inference?: InferenceState): WorkerClient {
  return startModelWorker({ resolveRecipe: () => ({}) as TrainingRecipe, inference }).client;
}

function image(): PlaneMessage {
  const width = 50;
  const height = 37;
  const data = new Float32Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = 100 + 80 * Math.sin(i * 0.37) * Math.cos(i * 0.011);
  return { width, height, data };
}

const loadOrt = async (): Promise<OrtModule> => {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  return ort;
};

const segment = (client: WorkerClient, engine: InferenceEnginePreference) =>
  client.call('segment', { modelId: 'tiny', image: image(), options: { tta: false, tileOutput: 28, engine } });

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('segment with an inference engine', () => {
  const inference: InferenceState = { sessions: createOrtSessions(loadOrt), failed: new Map(), webgpu: false };
  afterAll(() => inference.sessions.releaseAll());

  it('runs ort-wasm when asked and matches tfjs within 1e-4; auto runs the measured default', async () => {
    const client = startWorker(inference);
    await client.call('loadModel', { id: 'tiny', source: tiny });
    const onTfjs = await segment(client, 'tfjs');
    const onOrt = await segment(client, 'ort-wasm');
    const onAuto = await segment(client, 'auto');
    expect([onTfjs.engine, onOrt.engine, onAuto.engine]).toEqual(['tfjs', 'ort-wasm', AUTO_ENGINE.cpu]);
    expect(onOrt.tile.tiles).toBeGreaterThan(1);
    expect(onOrt.tile).toEqual(onTfjs.tile);
    let diff = 0;
    onOrt.probabilities.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - onTfjs.probabilities[i]))));
    expect(diff).toBeLessThanOrEqual(1e-4);
    // ort-webgpu without WebGPU runs on ort-wasm and says why.
    const noGpu = await segment(client, 'ort-webgpu');
    expect(noGpu.engine).toBe('ort-wasm');
    expect(noGpu.engineReason).toContain('needs WebGPU');
  });

  it('falls back to tfjs when onnxruntime-web cannot start, remembers it, and still answers', async () => {
    let tries = 0;
    const broken: InferenceState = {
      sessions: createOrtSessions(async () => {
        tries++;
        throw new Error('the .wasm file was not found');
      }),
      failed: new Map(),
      webgpu: false,
    };
    const client = startWorker(broken);
    await client.call('loadModel', { id: 'tiny', source: tiny });
    const first = await segment(client, 'ort-wasm');
    expect(first.engine).toBe('tfjs');
    expect(first.engineReason).toContain('the .wasm file was not found');
    expect(broken.failed.get('ort-wasm')).toContain('not found');
    await segment(client, 'ort-wasm');
    expect(tries).toBe(1);
  });

  it('runs tfjs in a worker without onnxruntime-web', async () => {
    const client = startWorker();
    await client.call('loadModel', { id: 'tiny', source: tiny });
    const result = await segment(client, 'ort-wasm');
    expect(result.engine).toBe('tfjs');
    expect(result.engineReason).toContain('not set up');
  });
});
