import { describe, expect, it } from 'vitest';
import type { ModelCard } from '../src/model/types';
import { median, objectIds } from './labelDiameter';
import { describeScale, diameterFromFlags, fuseMaxScaleFromFlags } from './diameterFlag';

const card = (fields: Partial<ModelCard>): ModelCard => ({ name: 'm', task: 'nuclei', ...fields }) as ModelCard;

describe('--diameter', () => {
  it('--no-fuse turns the second scale off; the log names both scales', () => {
    expect(fuseMaxScaleFromFlags({ 'no-fuse': true })).toBe(0);
    expect(fuseMaxScaleFromFlags({})).toBeUndefined();
    const base = { probabilities: new Float32Array(1), width: 1, height: 1, diameter: 61.2, source: 'estimate' as const, scale: 0.5, passes: 3 };
    expect(describeScale({ ...base, fusedScale: 0.247 })).toBe('object diameter 61.2 px (estimate), scale 0.500, averaged with scale 0.247');
    expect(describeScale(base)).toBe('object diameter 61.2 px (estimate), scale 0.500');
  });

  it("defaults to the card's choice: auto only where the card has a training diameter and says so", () => {
    expect(diameterFromFlags({}, card({ objectDiameter: 15, rescale: 'auto' }))).toBe('auto');
    expect(diameterFromFlags({}, card({ objectDiameter: 15, rescale: 'off' }))).toBe('off');
    expect(diameterFromFlags({}, card({ objectDiameter: 15 }))).toBe('off');
    expect(diameterFromFlags({}, undefined)).toBe('off');
  });

  it('takes pixels, auto or off, and says what is wrong otherwise', () => {
    const c = card({ objectDiameter: 15, rescale: 'auto' });
    expect(diameterFromFlags({ diameter: '40' }, c)).toBe(40);
    expect(diameterFromFlags({ diameter: 'off' }, c)).toBe('off');
    expect(diameterFromFlags({ diameter: 'auto' }, card({ objectDiameter: 15 }))).toBe('auto');
    expect(() => diameterFromFlags({ diameter: '-2' }, c)).toThrow(/positive number of pixels, 'auto' or 'off'/);
    expect(() => diameterFromFlags({ diameter: 'big' }, c)).toThrow(/got 'big'/);
    expect(() => diameterFromFlags({ diameter: '30' }, card({}))).toThrow(/card has no objectDiameter/);
  });
});

describe('npm run diameter helpers', () => {
  it('reads instance ids as they are and binary masks as components (EM: cells = not membrane)', () => {
    // 4x3: a membrane column (0) between two cells (255).
    const data = new Uint8Array([255, 255, 0, 255, 255, 255, 0, 255, 255, 255, 0, 255]);
    const raster = { width: 4, height: 3, channels: 1 as const, bitDepth: 8 as const, data };
    const cells = Array.from(objectIds(raster, 'binary', 0));
    expect(new Set(cells.filter((v) => v > 0)).size).toBe(2);
    expect(cells.filter((v, i) => i % 4 === 2 && v !== 0)).toEqual([]);
    expect(Array.from(objectIds(raster, 'instance'))).toEqual(Array.from(data));
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});
