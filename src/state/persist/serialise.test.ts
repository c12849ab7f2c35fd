import { defaultPostProcessing } from '../../image/postProcessing';
import { describe, expect, it } from 'vitest';
import type { ImageEntry } from '../imagesSlice';
import type { ModelEntry } from '../modelSlice';
import { packLabels, unpackLabels } from '../../image/labelCodec';
import { entryFromModelRecord, entryFromRecord, imageRecord, labelStatsOf, modelRecord, resultRecord, settingsOf, settingsPatch, type SettingsSource } from './serialise';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Labels as painting makes them: mostly unlabelled, runs of 1 and 2, and isolated pixels. */
function paintedPlane(width: number, height: number, seed: number): Uint8Array {
  const rand = seeded(seed);
  const data = new Uint8Array(width * height);
  for (let k = 0; k < 40; k++) {
    const v = rand() < 0.5 ? 1 : 2;
    const x0 = Math.floor(rand() * width);
    const y0 = Math.floor(rand() * height);
    const len = 1 + Math.floor(rand() * 60);
    for (let i = 0; i < len; i++) data[Math.min(height - 1, y0 + (i % 3)) * width + Math.min(width - 1, x0 + i)] = v;
  }
  for (let k = 0; k < 200; k++) data[Math.floor(rand() * data.length)] = 1 + Math.floor(rand() * 2);
  return data;
}

/** Index of the first differing byte, or -1 (toEqual on 256 K elements is slow). */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

const entry: ImageEntry = {
  id: 'img-1',
  name: 'stack.tif #2',
  path: 'folder/stack.tif',
  exportName: 'stack_p2',
  page: 2,
  pageCount: 3,
  width: 37,
  height: 21,
  channels: 3,
  bitDepth: 16,
  fileBytes: 12345,
  thumbnailUrl: 'blob:old',
  channel: 1,
  modelId: 'em-membranes',
  fingerprint: 'stack.tif|12345|abcd',
};

describe('label planes', () => {
  it('come back pixel-exact and smaller', () => {
    for (const [w, h, seed] of [[1, 1, 1], [37, 21, 2], [512, 512, 3], [1000, 3, 4]] as const) {
      const data = paintedPlane(w, h, seed);
      const packed = packLabels(data);
      expect(firstDifference(unpackLabels(packed, w, h), data)).toBe(-1);
      if (w * h >= 512 * 512) expect(packed.length).toBeLessThan(data.length / 20);
    }
  });

  it('an all-unlabelled plane and a fully painted one round-trip', () => {
    const empty = new Uint8Array(64 * 64);
    const full = new Uint8Array(64 * 64).fill(2);
    expect(firstDifference(unpackLabels(packLabels(empty), 64, 64), empty)).toBe(-1);
    expect(firstDifference(unpackLabels(packLabels(full), 64, 64), full)).toBe(-1);
  });

  it('a record of another size or with values other than 0, 1, 2 is refused', () => {
    const data = paintedPlane(20, 10, 5);
    expect(() => unpackLabels(packLabels(data), 20, 11)).toThrow(/200 pixels for a 20x11 image/);
    const bad = data.slice();
    bad[17] = 7;
    expect(() => unpackLabels(packLabels(bad), 20, 10)).toThrow(/value 7 at pixel 17/);
  });

  it('statistics of a restored plane count its classes', () => {
    const data = new Uint8Array([0, 1, 1, 2, 0, 2, 2, 1]);
    expect(labelStatsOf(data, true)).toEqual({ background: 3, foreground: 3, edited: true, undoDepth: 0, redoDepth: 0 });
  });
});

describe('image records', () => {
  it('an entry comes back with the same id, page, channel and model; the thumbnail is the new one', () => {
    const record = imageRecord(entry, 4);
    expect(record.fileKey).toBe(entry.fingerprint);
    expect(record.order).toBe(4);
    const back = entryFromRecord(structuredClone(record), { width: 37, height: 21, channels: 3, bitDepth: 16 }, 'blob:new');
    expect(back).toEqual({ ...entry, thumbnailUrl: 'blob:new' });
  });

  it('an image without a fingerprint is keyed by its id', () => {
    const { fingerprint: _none, ...old } = entry;
    const record = imageRecord(old, 0);
    expect(record.fileKey).toBe(entry.id);
    expect(entryFromRecord(record, { width: 37, height: 21, channels: 3, bitDepth: 16 }, null).fingerprint).toBeUndefined();
  });

  it('a file that decodes to another size is refused', () => {
    expect(() => entryFromRecord(imageRecord(entry, 0), { width: 21, height: 37, channels: 3, bitDepth: 16 }, null)).toThrow(/decodes to 21x37, but 37x21/);
  });

  it('a result must fit its image', () => {
    expect(resultRecord('a', 'rev=1|ch=mean', 2, 3, new Float32Array(6)).rid).toBe('a|rev=1|ch=mean');
    expect(() => resultRecord('a', 'k', 2, 3, new Float32Array(5))).toThrow(/5 values for a 2x3/);
  });
});

describe('model records', () => {
  const kept: ModelEntry = {
    id: 'nuclei~tuned-1',
    label: 'my tuned nuclei',
    source: { kind: 'session' },
    origin: { kind: 'copy', from: 'nuclei · tuned 1' },
  };

  it('a kept model keeps its id, label, origin, revision and files', () => {
    const zip = new Uint8Array([80, 75, 3, 4, 1, 2, 3]);
    const record = structuredClone(modelRecord(kept, 2, 'abc123', zip));
    expect(record).toMatchObject({ id: kept.id, label: kept.label, revision: 'abc123', order: 2 });
    expect(record.zip).toEqual(zip);
    expect(entryFromModelRecord(record)).toEqual(kept);
  });

  it('shipped models are never stored', () => {
    expect(() => modelRecord({ id: 'nuclei', label: 'nuclei', source: { kind: 'url', url: 'x' } }, 0, 'r', new Uint8Array(1))).toThrow(/ships with the app/);
  });
});

describe('settings', () => {
  const state: SettingsSource = {
    classes: [
      { name: 'cell', color: '#112233' },
      { name: 'membrane', color: '#445566' },
    ],
    postProcessing: { nuclei: { ...defaultPostProcessing('foreground'), threshold: 0.35, minSize: 15, connectivity: 8 } },
    diameterOverrides: { a: 30, b: 'off' },
    segmentOptions: { tta: true, budgetBytes: 1e9 },
    brushSize: 25,
    activeClass: 1,
    overlays: {
      probability: { visible: false, opacity: 0.3 },
      outline: { visible: true, opacity: 1 },
      instances: { visible: true, opacity: 0.2 },
      labels: { visible: true, opacity: 0.9 },
    },
    trainOverrides: { steps: 80, learningRate: 3e-4 },
    previewEvery: 10,
    useAllLabels: true,
  };
  const defaults: SettingsSource = {
    ...state,
    classes: [
      { name: 'background', color: '#000000' },
      { name: 'nucleus', color: '#ffffff' },
    ],
    postProcessing: {},
    diameterOverrides: {},
    segmentOptions: { tta: false },
    brushSize: 10,
    activeClass: 2,
    overlays: {
      probability: { visible: true, opacity: 0.5 },
      outline: { visible: true, opacity: 1 },
      instances: { visible: false, opacity: 0.45 },
      labels: { visible: true, opacity: 0.6 },
    },
    trainOverrides: {},
    previewEvery: 20,
    useAllLabels: false,
  };

  it('round-trip through a stored record onto the defaults', () => {
    const record = structuredClone(settingsOf(state));
    const back = { ...defaults, ...settingsPatch(record, defaults) };
    // The memory budget is the machine's, not a setting of the session.
    expect(back).toEqual({ ...state, segmentOptions: { tta: true } });
  });

  it('fields of a wrong type or range are ignored, the rest applies', () => {
    const good = settingsOf(state);
    const record = {
      ...good,
      postProcessing: { ...good.postProcessing, em: { ...defaultPostProcessing('cells'), threshold: 7 } },
      diameterOverrides: { a: 30, c: -4, d: 'big' },
      brushSize: 'big',
      classes: [{ name: 1 }],
    } as unknown as Parameters<typeof settingsPatch>[0];
    const patch = settingsPatch(record, defaults);
    expect(Object.keys(patch.postProcessing ?? {})).toEqual(['nuclei']);
    expect(patch.diameterOverrides).toEqual({ a: 30 });
    expect(patch.brushSize).toBeUndefined();
    expect(patch.classes).toBeUndefined();
    expect(patch.previewEvery).toBe(10);
  });
});
