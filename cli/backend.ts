/**
 * The Node backend set-up lives with the model layer (src/model/nodeBackend.node.ts); the tools import it here.
 * The explicit `.js` suffix matters: without it tsx (npm run train/segment/evaluate) takes `.node` for a
 * native addon's extension and fails with ERR_MODULE_NOT_FOUND; TypeScript and Vite map `.js` to the `.ts` file.
 */
export { initNodeBackend, wasmDistDir } from '../src/model/nodeBackend.node.js';
export type { NodeBackendName } from '../src/model/nodeBackend.node.js';
