import { describe, expect, it } from 'vitest';
import { cropPlane, normalizationRange, previewCrop } from './previewRegion';
import { checkTrainingLabels, nextTunedModel, splitLine } from './trainingChecks';

const names = ['background', 'membrane'] as const;
const summary = { images: 1, background: 400, foreground: 300, regions: 14, heldOutRegions: 3 };

describe('training checks', () => {
  it('lets a run start with both classes and a validation split', () => {
    expect(checkTrainingLabels(summary, false, names)).toBeNull();
    expect(splitLine(summary, false)).toBe('3 of 14 painted regions held out for validation (hatched).');
  });

  it('says what to paint: nothing, one class, a slip, too few strokes to hold any out', () => {
    expect(checkTrainingLabels({ ...summary, images: 0, background: 0, foreground: 0 }, false, names)).toMatch(/^Nothing to train on/);
    expect(checkTrainingLabels({ ...summary, foreground: 0 }, false, names)).toBe('Paint some membrane too: the model cannot learn from one class alone.');
    expect(checkTrainingLabels({ ...summary, background: 0 }, true, names)).toContain('Paint some background too');
    expect(checkTrainingLabels({ ...summary, background: 5, foreground: 4 }, true, names)).toContain('9 labelled pixels are too few');
    const few = { ...summary, regions: 2, heldOutRegions: 0 };
    expect(checkTrainingLabels(few, false, names)).toContain('Too few strokes to hold any out for validation (2 painted regions)');
    // Using all labels needs no held-out region, and says what it gives up.
    expect(checkTrainingLabels(few, true, names)).toBeNull();
    expect(splitLine(few, true)).toContain('no validation');
  });

  it('numbers fine-tuned models per base name, also when a tuned model is tuned again', () => {
    const models = [{ id: 'em-membranes', label: 'EM membranes' }];
    expect(nextTunedModel(models, 'em-membranes')).toEqual({ id: 'em-membranes~tuned-1', name: 'em-membranes · tuned 1' });
    const more = [...models, { id: 'em-membranes~tuned-1', label: 'em-membranes · tuned 1' }];
    expect(nextTunedModel(more, 'em-membranes · tuned 1')).toEqual({ id: 'em-membranes~tuned-2', name: 'em-membranes · tuned 2' });
  });
});

describe('preview crop', () => {
  it('grows the visible region by the margin onto the pooling grid, clipped to the image', () => {
    const r = previewCrop({ x: 30, y: 36, width: 40, height: 30 }, 20, 4, 96, 96)!;
    expect(r.inner).toEqual({ x: 30, y: 36, width: 40, height: 30 });
    expect(r.crop).toEqual({ x: 8, y: 16, width: 84, height: 72 });
    for (const v of [r.crop.x, r.crop.y, r.crop.x + r.crop.width, r.crop.y + r.crop.height]) expect(v % 4 === 0 || v === 96).toBe(true);
    expect(r.inner.x - r.crop.x).toBeGreaterThanOrEqual(20);
    // Near the border the crop stops at the image (the segmentation mirrors there too); odd sizes are kept.
    const edge = previewCrop({ x: 0, y: 50, width: 101, height: 51 }, 92, 16, 101, 101)!;
    expect(edge.crop).toEqual({ x: 0, y: 0, width: 101, height: 101 });
  });

  it('is null when nothing of the image is visible, and clips a view larger than the image', () => {
    expect(previewCrop({ x: 0, y: 0, width: 0, height: 10 }, 20, 4, 96, 96)).toBeNull();
    expect(previewCrop({ x: -50, y: -50, width: 500, height: 500 }, 20, 4, 96, 80)!.inner).toEqual({ x: 0, y: 0, width: 96, height: 80 });
  });

  it('crops a plane and normalises with the whole plane\'s range', () => {
    const plane = { width: 4, height: 3, data: Float32Array.from({ length: 12 }, (_, i) => i) };
    expect(Array.from(cropPlane(plane, { x: 1, y: 1, width: 2, height: 2 }).data)).toEqual([5, 6, 9, 10]);
    expect(normalizationRange(plane, { mode: 'fixed', min: -1, max: 7 })).toEqual({ min: -1, max: 7 });
    expect(normalizationRange(plane, { mode: 'percentile', low: 0, high: 100 })).toEqual({ min: 0, max: 11 });
  });
});
