/**
 * Node set-up of the tfjs backends for the command-line tools, the benchmark and the tests (the Node
 * realm only: the .node.ts suffix keeps it out of the browser/core typecheck, which has no Node types).
 * The WASM backend needs to know where its .wasm binaries live: in Node there is no bundler to
 * rewrite the URL, so we point it at the installed package's dist folder.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { registerWasmGradientKernels } from './wasmKernels';

/** Backends the Node tools can run on (tfjs-node cannot be installed here). */
export type NodeBackendName = 'cpu' | 'wasm';

/** Absolute path (with trailing slash) of the folder holding tfjs-backend-wasm's .wasm files. */
export function wasmDistDir(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve('@tensorflow/tfjs-backend-wasm');
  return path.dirname(main) + path.sep;
}

let wasmPathsSet = false;

/**
 * Selects and initialises a backend in Node. For 'wasm' it also registers the gradient kernels the
 * U-Net's backward pass needs (tfjs-backend-wasm 4.22 lacks Conv2DBackpropFilter), so training runs.
 * Resolves to the active backend's name.
 */
export async function initNodeBackend(name: NodeBackendName = 'wasm'): Promise<NodeBackendName> {
  if (name !== 'cpu' && name !== 'wasm') {
    throw new Error(`unknown backend '${String(name)}': use cpu or wasm`);
  }
  if (name === 'wasm') {
    if (!wasmPathsSet) {
      setWasmPaths(wasmDistDir());
      wasmPathsSet = true;
    }
    registerWasmGradientKernels();
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`the tfjs '${name}' backend failed to initialise`);
  await tf.ready();
  return name;
}
