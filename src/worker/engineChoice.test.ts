import { describe, expect, it } from 'vitest';
import { AUTO_ENGINE, chooseEngine, type EngineContext } from './engineChoice';
import type { InferenceEngineName } from './protocol';

const context = (over: Partial<EngineContext> = {}): EngineContext => ({ backend: 'wasm', webgpu: true, failed: new Map(), ...over });
const failed = (entries: [InferenceEngineName, string][]) => new Map(entries);

describe('chooseEngine', () => {
  it('runs a chosen engine when it can run', () => {
    expect(chooseEngine('tfjs', context()).engine).toBe('tfjs');
    expect(chooseEngine('ort-wasm', context()).engine).toBe('ort-wasm');
    const webgpu = chooseEngine('ort-webgpu', context());
    expect(webgpu.engine).toBe('ort-webgpu');
    expect(webgpu.reason).toContain('chosen in the settings');
  });

  it('takes the measured default of the active backend on auto', () => {
    for (const backend of ['webgpu', 'webgl', 'wasm', 'cpu'] as const) {
      const choice = chooseEngine('auto', context({ backend }));
      expect(choice.engine).toBe(AUTO_ENGINE[backend]);
      expect(choice.reason).toContain(`${backend} backend`);
    }
    // Before init there is no backend: the CPU-side default.
    expect(chooseEngine('auto', context({ backend: null })).engine).toBe(AUTO_ENGINE.cpu);
  });

  it('falls back from ort-webgpu to ort-wasm without WebGPU, and says why', () => {
    const choice = chooseEngine('ort-webgpu', context({ webgpu: false }));
    expect(choice.engine).toBe('ort-wasm');
    expect(choice.reason).toContain('needs WebGPU');
  });

  it('does not retry an engine that failed to start: ort-webgpu -> ort-wasm -> tfjs', () => {
    const one = chooseEngine('ort-webgpu', context({ failed: failed([['ort-webgpu', 'no adapter']]) }));
    expect(one.engine).toBe('ort-wasm');
    expect(one.reason).toContain('no adapter');
    const both = chooseEngine('ort-webgpu', context({ failed: failed([['ort-webgpu', 'no adapter'], ['ort-wasm', 'wasm fetch failed']]) }));
    expect(both.engine).toBe('tfjs');
    expect(both.reason).toContain('no adapter');
    expect(both.reason).toContain('wasm fetch failed');
    expect(chooseEngine('ort-wasm', context({ failed: failed([['ort-wasm', 'x']]) })).engine).toBe('tfjs');
  });

  it('never leaves tfjs: it has nowhere to fall back to', () => {
    expect(chooseEngine('tfjs', context({ webgpu: false, failed: failed([['tfjs', 'x']]) })).engine).toBe('tfjs');
  });
});
