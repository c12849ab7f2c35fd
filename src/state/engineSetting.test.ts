import { describe, expect, it } from 'vitest';
import { engineFromUrl } from './engineSetting';

describe('engineFromUrl', () => {
  it('reads a known engine and treats anything else as auto', () => {
    expect(engineFromUrl('?engine=ort-wasm')).toBe('ort-wasm');
    expect(engineFromUrl('?backend=wasm&engine=ort-webgpu')).toBe('ort-webgpu');
    expect(engineFromUrl('?engine=tfjs')).toBe('tfjs');
    expect(engineFromUrl('?engine=onnx')).toBe('auto');
    expect(engineFromUrl('?engine=')).toBe('auto');
    expect(engineFromUrl('')).toBe('auto');
  });
});
