/*
 * onnxruntime-web (WASM EP) in a Node worker thread, for bench/compare.ts. onnxruntime-web fixes its thread
 * count when its WebAssembly module starts, once per JavaScript realm, so each thread count runs in a worker
 * thread of its own. Messages: { type: 'session', key, onnx } -> { ok }; { type: 'run', key, data, dims } ->
 * { data, dims } (buffers transferred). Plain JavaScript: worker threads do not go through tsx.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-web';

ort.env.wasm.numThreads = workerData.threads;
ort.env.logLevel = 'error';
const sessions = new Map();

parentPort.on('message', async (message) => {
  try {
    if (message.type === 'session') {
      sessions.set(message.key, await ort.InferenceSession.create(message.onnx, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }));
      parentPort.postMessage({ ok: true, version: ort.env.versions.web });
    } else if (message.type === 'run') {
      const session = sessions.get(message.key);
      const out = await session.run({ image: new ort.Tensor('float32', message.data, message.dims) });
      const y = out.probabilities;
      const data = y.data;
      parentPort.postMessage({ data, dims: y.dims }, [data.buffer]);
    }
  } catch (error) {
    parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
