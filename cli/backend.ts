/** The Node backend set-up lives with the model layer (src/model/nodeBackend.node.ts); the tools import it here. */
export { initNodeBackend, wasmDistDir } from '../src/model/nodeBackend.node';
export type { NodeBackendName } from '../src/model/nodeBackend.node';
