import { validatePostProcessing, type PostProcessing } from '../../image/postProcessing';
import type { ImageEntry } from '../imagesSlice';
import type { LabelStats } from '../labelsSlice';
import type { ModelEntry } from '../modelSlice';
import type { StudioState } from '../store';
import type { ImageRecord, ModelRecord, RestoredResult, ResultRecord, SettingsRecord } from './records';

/*
 * Pure conversions between app state and stored records (records.ts). No IndexedDB and no DOM here, so
 * Node tests round-trip every kind.
 */

export type SettingsSource = Pick<
  StudioState,
  'classes' | 'postProcessing' | 'diameterOverrides' | 'segmentOptions' | 'brushSize' | 'activeClass' | 'overlays' | 'trainOverrides' | 'previewEvery' | 'useAllLabels'
>;

/** The stored form of image `entry` at list position `order`. */
export function imageRecord(entry: ImageEntry, order: number): ImageRecord {
  return {
    id: entry.id,
    order,
    // Images loaded before fingerprints existed have none: their id keys their file.
    fileKey: entry.fingerprint ?? entry.id,
    name: entry.name,
    path: entry.path,
    exportName: entry.exportName,
    page: entry.page,
    pageCount: entry.pageCount,
    width: entry.width,
    height: entry.height,
    channel: entry.channel,
    modelId: entry.modelId,
    fileBytes: entry.fileBytes,
  };
}

/** The list entry of a stored image once its file is decoded again (`raster` facts and thumbnail from the decode). */
export function entryFromRecord(
  record: ImageRecord,
  decoded: { readonly width: number; readonly height: number; readonly channels: 1 | 3 | 4; readonly bitDepth: 8 | 16 | 32 },
  thumbnailUrl: string | null,
): ImageEntry {
  if (decoded.width !== record.width || decoded.height !== record.height) {
    throw new RangeError(`its file decodes to ${decoded.width}x${decoded.height}, but ${record.width}x${record.height} was stored`);
  }
  return {
    id: record.id,
    name: record.name,
    path: record.path,
    exportName: record.exportName,
    page: record.page,
    pageCount: record.pageCount,
    width: record.width,
    height: record.height,
    channels: decoded.channels,
    bitDepth: decoded.bitDepth,
    fileBytes: record.fileBytes,
    thumbnailUrl,
    channel: record.channel,
    modelId: record.modelId,
    ...(record.fileKey !== record.id ? { fingerprint: record.fileKey } : {}),
  };
}

/** Background and foreground counts of a label plane, for the restored label statistics. */
export function labelStatsOf(data: Uint8Array, edited: boolean): LabelStats {
  let background = 0;
  let foreground = 0;
  for (const v of data) {
    if (v === 1) background++;
    else if (v === 2) foreground++;
  }
  return { background, foreground, edited, undoDepth: 0, redoDepth: 0 };
}

/** A stored result's key: its image and prediction key. */
export function resultId(imageId: string, key: string): string {
  return `${imageId}|${key}`;
}

/** The stored form of a result: its values as a Blob (the app makes it in slices, save.ts), or made here from them. */
export function resultRecord(
  imageId: string,
  key: string,
  width: number,
  height: number,
  probabilities: Float32Array | Blob,
  madeWith?: { readonly modelId: string | null; readonly settings: PostProcessing; readonly scale?: number },
): ResultRecord {
  const values = probabilities instanceof Blob ? probabilities.size / 4 : probabilities.length;
  if (values !== width * height) throw new RangeError(`a result of ${values} values for a ${width}x${height} image`);
  // The put clones only a reference to a Blob, not its values.
  const blob = probabilities instanceof Blob ? probabilities : new Blob([probabilities as Float32Array<ArrayBuffer>]);
  return { rid: resultId(imageId, key), imageId, key, width, height, probabilities: blob, ...(madeWith ? { madeWith: structuredClone(madeWith) } : {}) };
}

/** The values of a stored result (a Blob, or the Float32Array of sessions stored before results were Blobs). */
export async function restoredResult(record: ResultRecord): Promise<RestoredResult> {
  const stored = record.probabilities;
  if (stored instanceof Float32Array) return { ...record, probabilities: stored };
  const bytes = record.width * record.height * 4;
  if (stored.size !== bytes) throw new RangeError(`its stored map holds ${stored.size} bytes, not the ${bytes} of ${record.width}x${record.height} values`);
  return { ...record, probabilities: new Float32Array(await stored.arrayBuffer()) };
}

/** The settings worth keeping across a reload. */
export function settingsOf(state: SettingsSource): SettingsRecord {
  return {
    classes: [{ ...state.classes[0] }, { ...state.classes[1] }],
    postProcessing: structuredClone(state.postProcessing),
    diameterOverrides: { ...state.diameterOverrides },
    tta: state.segmentOptions.tta,
    brushSize: state.brushSize,
    activeClass: state.activeClass,
    overlays: Object.fromEntries(Object.entries(state.overlays).map(([k, v]) => [k, { visible: v.visible, opacity: v.opacity }])),
    trainOverrides: { ...state.trainOverrides },
    previewEvery: state.previewEvery,
    useAllLabels: state.useAllLabels,
  };
}

/** The state change that brings stored settings back; fields of a wrong type are left as they are. */
export function settingsPatch(record: Partial<SettingsRecord>, current: SettingsSource): Partial<SettingsSource> {
  const num = (v: unknown, lo: number, hi: number): v is number => typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi;
  const patch: Partial<SettingsSource> = {};
  const c = record.classes;
  if (Array.isArray(c) && c.length === 2 && c.every((k) => typeof k?.name === 'string' && typeof k?.color === 'string')) {
    patch.classes = [{ name: c[0].name, color: c[0].color }, { name: c[1].name, color: c[1].color }];
  }
  if (record.postProcessing && typeof record.postProcessing === 'object') {
    // Each model's settings go through the same check as the settings panel; a bad entry is dropped.
    const kept: Record<string, PostProcessing> = {};
    for (const [modelId, settings] of Object.entries(record.postProcessing)) {
      try {
        kept[modelId] = validatePostProcessing(settings);
      } catch {
        continue;
      }
    }
    patch.postProcessing = kept;
  }
  if (record.diameterOverrides && typeof record.diameterOverrides === 'object') {
    const kept: Record<string, number | 'auto' | 'off'> = {};
    for (const [imageId, d] of Object.entries(record.diameterOverrides)) {
      if (d === 'auto' || d === 'off' || num(d, 1e-3, 1e5)) kept[imageId] = d;
    }
    patch.diameterOverrides = kept;
  }
  if (typeof record.tta === 'boolean') patch.segmentOptions = { ...current.segmentOptions, tta: record.tta };
  if (num(record.brushSize, 1, 256)) patch.brushSize = record.brushSize;
  if (record.activeClass === 1 || record.activeClass === 2) patch.activeClass = record.activeClass;
  if (record.overlays && typeof record.overlays === 'object') {
    const overlays = { ...current.overlays };
    for (const kind of Object.keys(overlays) as (keyof typeof overlays)[]) {
      const o = record.overlays[kind];
      if (o && typeof o.visible === 'boolean' && num(o.opacity, 0, 1)) overlays[kind] = { visible: o.visible, opacity: o.opacity };
    }
    patch.overlays = overlays;
  }
  if (record.trainOverrides && typeof record.trainOverrides === 'object') patch.trainOverrides = { ...record.trainOverrides } as SettingsSource['trainOverrides'];
  if (num(record.previewEvery, 0, 1e6)) patch.previewEvery = record.previewEvery;
  if (typeof record.useAllLabels === 'boolean') patch.useAllLabels = record.useAllLabels;
  return patch;
}

/** The stored form of kept model `entry` with its files (a model ZIP) and weights revision. */
export function modelRecord(entry: ModelEntry, order: number, revision: string, zip: Uint8Array): ModelRecord {
  if (entry.source.kind !== 'session') throw new Error(`"${entry.label}" ships with the app: only kept models are stored`);
  return {
    id: entry.id,
    order,
    label: entry.label,
    revision,
    zip,
    ...(entry.tuning ? { tuning: entry.tuning } : {}),
    ...(entry.origin ? { origin: entry.origin } : {}),
  };
}

/** The library entry of a stored kept model. */
export function entryFromModelRecord(record: ModelRecord): ModelEntry {
  return {
    id: record.id,
    label: record.label,
    source: { kind: 'session' },
    ...(record.tuning ? { tuning: record.tuning } : {}),
    ...(record.origin ? { origin: record.origin } : {}),
  };
}
