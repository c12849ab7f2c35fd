import { nextTask } from '../nextTask';
import type { ImagePixels } from '../pixels';
import type { StudioState } from '../store';
import type { Dirty } from './autosave';
import type { SessionDb } from './db';
import { imageRecord, modelRecord, resultId, resultRecord, settingsOf } from './serialise';

/** What a save reads from the app and asks of the worker. */
export interface SaveDeps {
  readonly db: SessionDb;
  readonly state: () => StudioState;
  readonly pixels: (id: string) => ImagePixels | undefined;
  /** Kept model `id` as one model ZIP and its weights revision (the worker's packageModel). */
  readonly packModel: (id: string) => Promise<{ revision: string; zip: Uint8Array }>;
  /** Deflates a copy of a label plane (the app does it in the image worker: a 4096² plane takes ~100 ms). */
  readonly packLabels: (data: Uint8Array) => Promise<Uint8Array>;
}

/** Bytes copied into a Blob per task: making one Blob of a 2048² map (16 MB) was a 56 ms task under load. */
const BLOB_SLICE = 2 << 20;

/** `data` as one Blob made of parts copied one per task (a Blob of Blobs refers to them, it copies nothing). */
export async function blobInSlices(data: Float32Array, sliceBytes = BLOB_SLICE): Promise<Blob> {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const parts: Blob[] = [];
  for (let start = 0; start < bytes.length; start += sliceBytes) {
    if (start > 0) await nextTask();
    parts.push(new Blob([bytes.subarray(start, start + sliceBytes) as Uint8Array<ArrayBuffer>]));
  }
  return new Blob(parts);
}

function hasPaint(data: Uint8Array): boolean {
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) return true;
  return false;
}

/** Labels first: they are the user's work and the cheapest to write. */
async function saveLabels(ids: Iterable<string>, deps: SaveDeps): Promise<void> {
  const { db, state } = deps;
  for (const id of ids) {
    const px = deps.pixels(id);
    if (!px) continue;
    const canvas = px.labels;
    if (!canvas || !hasPaint(canvas.data)) await db.delete('labels', id);
    else {
      const edited = state().labelStats[id]?.edited ?? true;
      const packed = await deps.packLabels(canvas.data.slice());
      await db.put('labels', { id, width: canvas.width, height: canvas.height, packed, edited });
    }
  }
}

async function deleteImage(db: SessionDb, id: string): Promise<void> {
  const tx = db.transaction(['images', 'labels', 'results'], 'readwrite');
  await tx.objectStore('images').delete(id);
  await tx.objectStore('labels').delete(id);
  const results = tx.objectStore('results');
  for (const rid of await results.index('byImage').getAllKeys(id)) await results.delete(rid);
  await tx.done;
}

async function saveImages(deps: SaveDeps): Promise<void> {
  const { db } = deps;
  const images = deps.state().images;
  const current = new Set(images.map((i) => i.id));
  for (const id of await db.getAllKeys('images')) if (!current.has(id)) await deleteImage(db, id);
  const fileKeys = new Set(await db.getAllKeys('files'));
  const wanted = new Set<string>();
  for (let k = 0; k < images.length; k++) {
    const record = imageRecord(images[k], k);
    wanted.add(record.fileKey);
    if (!fileKeys.has(record.fileKey)) {
      const source = deps.pixels(record.id)?.source;
      if (!source) continue;
      await db.put('files', { key: record.fileKey, name: record.path, blob: source });
      fileKeys.add(record.fileKey);
    }
    await db.put('images', record);
  }
  for (const key of fileKeys) if (!wanted.has(key)) await db.delete('files', key);
}

async function saveResults(ids: Iterable<string>, deps: SaveDeps): Promise<void> {
  const { db, state } = deps;
  for (const id of ids) {
    const px = deps.pixels(id);
    const keys = state().segmented[id] ?? [];
    const stored = new Set(await db.getAllKeysFromIndex('results', 'byImage', id));
    const wanted = new Set<string>();
    for (const key of keys) {
      const data = px?.predictions.get(key);
      if (!px || !data) continue;
      const rid = resultId(id, key);
      wanted.add(rid);
      // A key names one revision's output exactly: a stored one never needs rewriting.
      if (!stored.has(rid)) await db.put('results', resultRecord(id, key, px.raster.width, px.raster.height, await blobInSlices(data), px.madeWith.get(key)));
    }
    for (const rid of stored) if (!wanted.has(rid)) await db.delete('results', rid);
  }
}

async function saveModels(deps: SaveDeps): Promise<void> {
  const { db } = deps;
  const kept = deps.state().models.filter((m) => m.source.kind === 'session');
  const keptIds = new Set(kept.map((m) => m.id));
  for (const id of await db.getAllKeys('models')) if (!keptIds.has(id)) await db.delete('models', id);
  for (let k = 0; k < kept.length; k++) {
    const entry = kept[k];
    const old = await db.get('models', entry.id);
    if (old) {
      if (old.label !== entry.label || old.order !== k) await db.put('models', { ...old, label: entry.label, order: k });
      continue;
    }
    const { revision, zip } = await deps.packModel(entry.id);
    await db.put('models', modelRecord(entry, k, revision, zip));
  }
}

/** Writes what `dirty` names; throws the first storage error (the caller reports it and stops saving). */
export async function writeDirty(dirty: Dirty, deps: SaveDeps): Promise<void> {
  const { db, state } = deps;
  if (dirty.images) await saveImages(deps);
  await saveLabels(dirty.labels, deps);
  if (dirty.models) await saveModels(deps);
  await saveResults(dirty.results, deps);
  if (dirty.settings) await db.put('meta', settingsOf(state()), 'settings');
  if (dirty.session) await db.put('meta', { selectedId: state().selectedId, modelId: state().modelId }, 'session');
}
