import { describe, expect, it } from 'vitest';
import { defaultPostProcessing, plainPostProcessing } from '../src/image/postProcessing';
import { postProcessingFromFlags } from './postProcessingFlags';

describe('post-processing from a model card and flags', () => {
  const card = { ...defaultPostProcessing('foreground'), threshold: 0.3, minSize: 40 };

  it('starts from the card, so segment and evaluate use the settings the model ships with', () => {
    const settings = postProcessingFromFlags({}, 'foreground', card);
    expect(settings.threshold).toBe(0.3);
    expect(settings.minSize).toBe(40);
  });

  it('lets a flag override one setting and keeps the rest of the card', () => {
    const settings = postProcessingFromFlags({ threshold: '0.6' }, 'foreground', card);
    expect(settings.threshold).toBe(0.6);
    expect(settings.minSize).toBe(40);
  });

  it('ignores a card of the other object kind and --plain gives the old connected pieces', () => {
    expect(postProcessingFromFlags({}, 'cells', card)).toEqual(defaultPostProcessing('cells'));
    expect(postProcessingFromFlags({ plain: true }, 'foreground', card)).toEqual(plainPostProcessing('foreground'));
  });
});
