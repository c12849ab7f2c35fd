import { describe, expect, it } from 'vitest';
import { createFineTuneRun } from './fineTuneRun';
import type { FineTuneImage } from './protocol';

const spec = { mode: 'fixed', min: 0, max: 100 } as const;

function painted(id: string, value: number): FineTuneImage {
  return { imageId: id, name: `${id}.png`, image: { width: 4, height: 2, data: Float32Array.from([0, 25, 50, 100, 0, 25, 50, 100]) }, labels: new Uint8Array(8).fill(value) };
}

describe('fine-tune run state', () => {
  it('normalises each image once, reports changed labels once, and keeps image order', () => {
    const run = createFineTuneRun([painted('a', 1), painted('b', 2)], spec, new AbortController().signal);
    expect(run.samples().map((s) => s.name)).toEqual(['a.png', 'b.png']);
    expect(Array.from(run.samples()[0].image.data)).toEqual([0, 0.25, 0.5, 1, 0, 0.25, 0.5, 1]);
    expect(run.takeChangedSamples()).toBeNull();
    const image = run.samples()[0].image;
    run.update([{ imageId: 'a', name: 'a.png', labels: new Uint8Array(8).fill(2) }]);
    const changed = run.takeChangedSamples()!;
    expect(changed[0].labels[0]).toBe(2);
    // Same image object: the trainer can tell that only the labels changed.
    expect(changed[0].image).toBe(image);
    expect(run.takeChangedSamples()).toBeNull();
    run.update([painted('c', 1)]);
    expect(run.takeChangedSamples()!.map((s) => s.name)).toEqual(['a.png', 'b.png', 'c.png']);
  });

  it('refuses labels of the wrong size, labels without an image it has not seen, and a preview off the pooling grid', () => {
    const run = createFineTuneRun([painted('a', 1)], spec, new AbortController().signal, 4);
    expect(() => run.update([{ imageId: 'a', name: 'a.png', labels: new Uint8Array(5) }])).toThrow('labels of a.png hold 5 values for a 4x2 image');
    expect(() => run.update([{ imageId: 'z', name: 'z.png', labels: new Uint8Array(8) }])).toThrow('came without its image');
    const plane = { width: 4, height: 2, data: new Float32Array(8) };
    const inner = { x: 2, y: 2, width: 2, height: 2 };
    expect(() => run.setPreviewRegion({ imageId: 'a', x: 2, y: 0, plane, inner, range: { min: 0, max: 1 } })).toThrow('off the model\'s 4 px pooling grid');
    run.setPreviewRegion({ imageId: 'a', x: 4, y: 8, plane, inner, range: { min: 0, max: 1 } });
    expect(run.previewRegion()?.region.x).toBe(4);
  });

  it('Stop and the request\'s cancel both abort the trainer\'s signal; a preview request is taken once', () => {
    const cancel = new AbortController();
    const a = createFineTuneRun([painted('a', 1)], spec, cancel.signal);
    const b = createFineTuneRun([painted('a', 1)], spec, new AbortController().signal);
    cancel.abort();
    b.stop();
    expect(a.signal.aborted).toBe(true);
    expect(b.signal.aborted).toBe(true);
    b.requestPreview();
    expect(b.takePreviewRequest()).toBe(true);
    expect(b.takePreviewRequest()).toBe(false);
  });

  it('trains an image at the scale it is segmented at: image and labels resized, the image object kept across label updates', () => {
    // 4x2 at 0.5 -> 2x1; footprints {1,1,2,1} -> 1 and {2,2,0,0} -> 2 (tie with unlabelled goes to the label).
    const item = { ...painted('a', 0), labels: Uint8Array.from([1, 1, 2, 2, 2, 1, 0, 0]), scale: 0.5 };
    const run = createFineTuneRun([item, painted('b', 2)], spec, new AbortController().signal);
    const [a, b] = run.samples();
    expect([a.image.width, a.image.height]).toEqual([2, 1]);
    expect(Array.from(a.image.data)).toEqual([0.125, 0.75]);
    expect(Array.from(a.labels)).toEqual([1, 2]);
    // No scale: the image as it is.
    expect([b.image.width, b.image.height]).toEqual([4, 2]);
    run.update([{ imageId: 'a', name: 'a.png', labels: new Uint8Array(8).fill(2) }]);
    const changed = run.takeChangedSamples()![0];
    expect(changed.image).toBe(a.image);
    expect(Array.from(changed.labels)).toEqual([2, 2]);
    expect(() => createFineTuneRun([{ ...item, scale: -1 }], spec, new AbortController().signal)).toThrow('the scale of a.png must be a positive number, got -1');
    // The preview runs at the region's own scale, else at its image's, else at 1.
    const region = { x: 0, y: 0, plane: { width: 4, height: 2, data: new Float32Array(8) }, inner: { x: 0, y: 0, width: 4, height: 2 }, range: { min: 0, max: 1 } };
    run.setPreviewRegion({ ...region, imageId: 'a' });
    expect(run.previewRegion()?.scale).toBe(0.5);
    run.setPreviewRegion({ ...region, imageId: 'z' });
    expect(run.previewRegion()?.scale).toBe(1);
    run.setPreviewRegion({ ...region, imageId: 'z', scale: 0.75 });
    expect(run.previewRegion()?.scale).toBe(0.75);
    expect(() => run.setPreviewRegion({ ...region, imageId: 'z', scale: 0 })).toThrow("the preview's scale must be a positive number, got 0");
  });
});
