import { describe, expect, it } from 'vitest';
import type { LoadedModel } from '../worker/protocol';
import { instancesKey, modelKey, predictionKey } from './keys';

const model = (revision: string): Pick<LoadedModel, 'revision'> => ({ revision });

describe('cache keys', () => {
  it('change with the weights revision, TTA and the channel, so no stale prediction is reused', () => {
    const a = modelKey(model('aa11'), false);
    expect(a).not.toBeNull();
    for (const v of [modelKey(model('bb22'), false), modelKey(model('aa11'), true)]) expect(v).not.toBe(a);
    expect(predictionKey(a!, 'mean')).not.toBe(predictionKey(a!, 0));
    expect(modelKey(null, false)).toBeNull();
  });

  it('are the same for the same weights, whatever the model is called (a renamed or duplicated model)', () => {
    expect(modelKey(model('aa11'), false)).toBe(modelKey({ revision: 'aa11' }, false));
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
