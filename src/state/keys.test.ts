import { describe, expect, it } from 'vitest';
import { defaultPostProcessing, type PostProcessing } from '../image/postProcessing';
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

  it('objects depend on every post-processing field and on the prediction', () => {
    const base = defaultPostProcessing('foreground');
    const k = instancesKey('p', base);
    const changes: Partial<PostProcessing>[] = [
      { objects: 'cells' }, { threshold: 0.6 }, { smoothing: 1 }, { fillHoles: false }, { maxHoleSize: 9 },
      { split: 'none' }, { h: 3 }, { minSize: 5 }, { connectivity: 8 },
    ];
    for (const change of changes) expect(instancesKey('p', { ...base, ...change }), JSON.stringify(change)).not.toBe(k);
    expect(instancesKey('q', base)).not.toBe(k);
    expect(instancesKey('p', { ...base })).toBe(k);
  });
});
