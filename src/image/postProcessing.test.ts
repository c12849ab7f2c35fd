import { describe, expect, it } from 'vitest';
import { defaultPostProcessing, objectsFromProbability, parsePostProcessing, validatePostProcessing } from './postProcessing';

describe('PostProcessing settings', () => {
  it('fills missing fields from the defaults of the kind', () => {
    expect(parsePostProcessing(undefined, 'cells')).toEqual(defaultPostProcessing('cells'));
    expect(parsePostProcessing({ threshold: 0.3 }, 'foreground')).toEqual({ ...defaultPostProcessing('foreground'), threshold: 0.3 });
    // The record's own kind wins over the caller's.
    expect(parsePostProcessing({ objects: 'cells' }, 'foreground')).toEqual(defaultPostProcessing('cells'));
  });

  it('names the bad field and what it accepts', () => {
    expect(() => parsePostProcessing({ threshold: 2 }, 'foreground')).toThrow(/threshold must be in \[0, 1\], got 2/);
    expect(() => parsePostProcessing({ split: 'magic' }, 'foreground')).toThrow(/split must be 'none' or 'watershed'/);
    expect(() => parsePostProcessing({ minSize: 2.5 }, 'foreground')).toThrow(/minSize must be an integer/);
    expect(() => parsePostProcessing({ connectivity: 6 }, 'foreground')).toThrow(/connectivity must be 4 or 8/);
    expect(() => parsePostProcessing({ objects: 'blobs' }, 'foreground')).toThrow(/objects must be 'foreground' or 'cells'/);
    expect(() => parsePostProcessing([], 'foreground')).toThrow(/must be an object/);
    expect(() => validatePostProcessing({ ...defaultPostProcessing('cells'), h: NaN })).toThrow(/h must be a number/);
  });

  it('checks the probability map size', () => {
    expect(() => objectsFromProbability(new Float32Array(5), 2, 2, defaultPostProcessing('foreground'))).toThrow(/probability has 5 values/);
  });
});
