import type { CommandMode } from './handle';
import type { CommandName } from './protocol';

/**
 * How each command shares the worker (see jobQueue.ts). Segmentations and model loads are served at a
 * fine-tune's safe points; messages to a running fine-tune and reads of model facts never wait; everything
 * else (another fine-tune, a backend switch, self-tests, benchmarks) waits for the running job.
 */
export const commandModes: { readonly [K in CommandName]: CommandMode } = {
  init: 'exclusive',
  selfTest: 'exclusive',
  benchmark: 'exclusive',
  benchmarkModel: 'exclusive',
  fineTune: 'exclusive',
  loadModel: 'interleave',
  segment: 'interleave',
  exportModel: 'interleave',
  importModel: 'interleave',
  duplicateModel: 'interleave',
  packageModel: 'interleave',
  describeModel: 'immediate',
  removeModel: 'immediate',
  updateFineTune: 'immediate',
  stopFineTune: 'immediate',
};
