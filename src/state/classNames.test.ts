import { describe, expect, it } from 'vitest';
import { classNamesForTask } from './classNames';

describe('painted class names', () => {
  it('follow the model task: membrane and cell for EM, nucleus and background for nuclei', () => {
    expect(classNamesForTask(['background', 'nucleus'], 'membranes')).toEqual(['cell', 'membrane']);
    expect(classNamesForTask(['cell', 'membrane'], 'nuclei')).toEqual(['background', 'nucleus']);
    expect(classNamesForTask(['cell', 'membrane'], 'generic')).toEqual(['background', 'foreground']);
  });

  it('keep names the user gave', () => {
    expect(classNamesForTask(['stroma', 'gland'], 'membranes')).toEqual(['stroma', 'gland']);
    expect(classNamesForTask(['background', 'gland'], 'nuclei')).toEqual(['background', 'gland']);
  });
});
