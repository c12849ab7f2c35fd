import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ImageEntry } from '../imagesSlice';
import { addPixels, ensureLabels, removePixels } from '../pixels';
import { useStudio } from '../store';
import { packLabels, unpackLabels } from '../../image/labelCodec';
import { emptyDirty } from './autosave';
import { DB_NAME, openSessionDb, type SessionDb } from './db';
import type { ModelRecord, ResultRecord } from './records';
import { readSession, restoreSession, type RestoreTarget } from './restore';
import { blobInSlices, writeDirty } from './save';
import { restoredResult } from './serialise';

let db: SessionDb | null = null;

afterEach(async () => {
  db?.close();
  db = null;
  await new Promise<void>((resolve) => {
    const request = indexedDB.deleteDatabase(DB_NAME);
    request.onsuccess = () => resolve();
    request.onerror = () => resolve();
  });
  useStudio.setState({ images: [], labelStats: {}, segmented: {}, models: [] });
  for (const id of ['a', 'b']) removePixels(id);
});

function image(id: string, width: number, height: number, fingerprint: string): ImageEntry {
  return { id, name: `${id}.png`, path: `${id}.png`, exportName: id, page: 1, pageCount: 1, width, height, channels: 1, bitDepth: 8, fileBytes: 10, thumbnailUrl: null, channel: 'mean', modelId: 'nuclei', fingerprint };
}

/** A session of two images (one painted, one segmented) and a kept model, written the way the app writes it. */
async function storeSession(): Promise<{ labels: Uint8Array; probabilities: Float32Array }> {
  db = await openSessionDb();
  const pa = addPixels('a', { width: 4, height: 3, channels: 1, bitDepth: 8, data: new Uint8Array(12) }, new Blob([new Uint8Array([1, 2, 3])]));
  const pb = addPixels('b', { width: 2, height: 2, channels: 1, bitDepth: 8, data: new Uint8Array(4) }, new Blob([new Uint8Array([4, 5])]));
  const labels = ensureLabels(pa).data;
  labels.set([0, 1, 2, 2, 0, 0, 1, 0, 2, 0, 0, 1]);
  const probabilities = new Float32Array([0.1, 0.9, 0.25, 1]);
  pb.predictions.set('rev=r1|ch=mean', probabilities);
  useStudio.setState({
    images: [image('a', 4, 3, 'fa'), image('b', 2, 2, 'fb')],
    labelStats: { a: { background: 3, foreground: 3, edited: true, undoDepth: 1, redoDepth: 0 } },
    segmented: { b: ['rev=r1|ch=mean'] },
    models: [{ id: 'nuclei', label: 'nuclei', source: { kind: 'url', url: 'x' } }, { id: 'k1', label: 'kept', source: { kind: 'session' } }],
    selectedId: 'b',
  });
  await writeDirty(
    { ...emptyDirty(), images: true, labels: new Set(['a']), results: new Set(['b']), models: true, settings: true, session: true },
    {
      db,
      state: useStudio.getState,
      pixels: (id) => (id === 'a' ? pa : id === 'b' ? pb : undefined),
      packModel: async () => ({ revision: 'r9', zip: new Uint8Array([80, 75]) }),
      packLabels: async (data) => packLabels(data),
    },
  );
  return { labels: labels.slice(), probabilities };
}

describe('restoring a stored session', () => {
  it('reads back what was written: files, images in order, labels pixel-exact, results, kept models only', async () => {
    const { labels, probabilities } = await storeSession();
    const stored = await readSession(db!);
    expect(stored.images.map((i) => i.id)).toEqual(['a', 'b']);
    expect(stored.files.map((f) => f.key).sort()).toEqual(['fa', 'fb']);
    expect(unpackLabels(stored.labels[0].packed, 4, 3)).toEqual(labels);
    expect(stored.labels[0].edited).toBe(true);
    expect(stored.results).toHaveLength(1);
    expect((await restoredResult(stored.results[0])).probabilities).toEqual(probabilities);
    expect(stored.models.map((m) => [m.id, m.label, m.revision])).toEqual([['k1', 'kept', 'r9']]);
    expect(stored.session).toEqual({ selectedId: 'b', modelId: useStudio.getState().modelId });
  });

  it('a removed image takes its labels, results and file with it', async () => {
    await storeSession();
    useStudio.setState({ images: [image('b', 2, 2, 'fb')] });
    await writeDirty({ ...emptyDirty(), images: true }, { db: db!, state: useStudio.getState, pixels: () => undefined, packModel: async () => ({ revision: '', zip: new Uint8Array() }), packLabels: async (d) => packLabels(d) });
    const stored = await readSession(db!);
    expect(stored.images.map((i) => i.id)).toEqual(['b']);
    expect(stored.labels).toEqual([]);
    expect(stored.files.map((f) => f.key)).toEqual(['fb']);
    expect(stored.results.map((r) => r.imageId)).toEqual(['b']);
  });

  it('goes in dependency order: settings, models, images, labels, results, then the selection', async () => {
    await storeSession();
    const stored = await readSession(db!);
    const calls: string[] = [];
    const target: RestoreTarget = {
      applySettings: () => void calls.push('settings'),
      addModel: async (m: ModelRecord) => {
        calls.push(`model ${m.id}`);
        return m.revision;
      },
      addImages: async (file, images) => void calls.push(`images ${images.map((i) => i.id).join(',')} from ${file.key}`),
      setLabels: (l) => void calls.push(`labels ${l.id}`),
      setResult: (r) => void calls.push(`result ${r.imageId}`),
      select: async (s) => void calls.push(`select ${s.selectedId}`),
    };
    const report = await restoreSession(stored, target);
    expect(calls).toEqual(['settings', 'model k1', 'images a from fa', 'images b from fb', 'labels a', 'result b', 'select b']);
    expect(report).toEqual({ images: 2, models: 1, labels: 1, results: 1, problems: [] });
  });

  it('one broken item is reported and skipped; a model with other weights is named', async () => {
    await storeSession();
    const stored = await readSession(db!);
    const calls: string[] = [];
    const report = await restoreSession(stored, {
      applySettings: () => {},
      addModel: async () => 'other-revision',
      addImages: async (file, images) => {
        if (file.key === 'fa') throw new Error('the file is damaged');
        calls.push(images[0].id);
      },
      setLabels: (l) => void calls.push(`labels ${l.id}`),
      setResult: (r) => void calls.push(`result ${r.imageId}`),
      select: async () => {},
    });
    // Image a failed: its labels are not applied; image b and its result still come back.
    expect(calls).toEqual(['b', 'result b']);
    expect(report.images).toBe(1);
    expect(report.problems).toEqual([
      'The kept model "kept" came back with other weights than were stored (revision other-re, not r9).',
      'a.png could not be restored: the file is damaged.',
    ]);
  });

  it('stores a result as a Blob (a put clones a reference, not the values) and restores its values exactly', async () => {
    const { probabilities } = await storeSession();
    const stored = await readSession(db!);
    const blob = stored.results[0].probabilities;
    expect(blob).toBeInstanceOf(Blob);
    expect((blob as Blob).size).toBe(4 * 4);
    const restored: Float32Array[] = [];
    const report = await restoreSession(stored, {
      applySettings: () => {},
      addModel: async (m) => m.revision,
      addImages: async () => {},
      setLabels: () => {},
      setResult: (r) => void restored.push(r.probabilities),
      select: async () => {},
    });
    expect(report.problems).toEqual([]);
    expect(restored).toHaveLength(1);
    expect(restored[0]).toBeInstanceOf(Float32Array);
    expect(Array.from(restored[0])).toEqual(Array.from(probabilities));
  });

  it('a session stored before results were Blobs (a Float32Array) still restores; a truncated Blob is reported, the rest restores', async () => {
    await storeSession();
    const old: ResultRecord = { rid: 'b|old', imageId: 'b', key: 'old', width: 2, height: 2, probabilities: new Float32Array([0.5, 0.25, 0, 1]) };
    const cut: ResultRecord = { rid: 'b|cut', imageId: 'b', key: 'cut', width: 2, height: 2, probabilities: new Blob([new Float32Array([0.5, 0.25, 0])]) };
    await db!.put('results', old);
    await db!.put('results', cut);
    const stored = await readSession(db!);
    const restored = new Map<string, number[]>();
    const report = await restoreSession(stored, {
      applySettings: () => {},
      addModel: async (m) => m.revision,
      addImages: async () => {},
      setLabels: () => {},
      setResult: (r) => void restored.set(r.key, Array.from(r.probabilities)),
      select: async () => {},
    });
    expect([...restored.keys()].sort()).toEqual(['old', 'rev=r1|ch=mean']);
    expect(restored.get('old')).toEqual([0.5, 0.25, 0, 1]);
    expect(report.results).toBe(2);
    expect(report.problems).toEqual(['A result could not be restored: its stored map holds 12 bytes, not the 16 of 2x2 values.']);
  });

  it('makes a map\'s Blob from parts copied one task each, holding exactly its bytes', async () => {
    const values = new Float32Array([0.5, -1, 3.25, 1e-7, 0, 1, 2, 3, 4, 5]);
    const blob = await blobInSlices(values.subarray(1), 12);
    expect(blob.size).toBe(36);
    expect(Array.from(new Float32Array(await blob.arrayBuffer()))).toEqual(Array.from(values.subarray(1)));
    expect((await blobInSlices(new Float32Array(0))).size).toBe(0);
  });
});
