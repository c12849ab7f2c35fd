import { describe, expect, it } from 'vitest';
import type { LoadedModel } from '../worker/protocol';
import { instancesKey, modelKey, predictionKey } from './keys';

const model = (createdAt: string, trainedSteps: number): LoadedModel =>
  ({ card: { createdAt, trainedSteps }, random: false, parameters: 1, margin: 0 }) as unknown as LoadedModel;

describe('cache keys', () => {
  it('change with the model, its weights, TTA and the channel, so no stale prediction is reused', () => {
    const a = modelKey('nuclei', model('2025-01-01', 0), false);
    expect(a).not.toBeNull();
    const variants = [
      modelKey('em', model('2025-01-01', 0), false),
      modelKey('nuclei', model('2025-01-02', 0), false),
      modelKey('nuclei', model('2025-01-01', 100), false),
      modelKey('nuclei', model('2025-01-01', 0), true),
    ];
    for (const v of variants) expect(v).not.toBe(a);
    expect(predictionKey(a!, 'mean')).not.toBe(predictionKey(a!, 0));
    expect(modelKey(null, model('x', 0), false)).toBeNull();
  });

  it('instances depend on every parameter', () => {
    const base = { threshold: 0.5, connectivity: 4 as const, minSize: 0 };
    const k = instancesKey('p', base);
    expect(instancesKey('p', { ...base, threshold: 0.6 })).not.toBe(k);
    expect(instancesKey('p', { ...base, connectivity: 8 })).not.toBe(k);
    expect(instancesKey('p', { ...base, minSize: 5 })).not.toBe(k);
    expect(instancesKey('q', base)).not.toBe(k);
  });
});
