import type { SessionDb } from './db';
import type { CheckpointRecord, FileRecord, ImageRecord, LabelRecord, ModelRecord, RestoredResult, ResultRecord, SessionRecord, SettingsRecord } from './records';
import { restoredResult } from './serialise';

/** Everything a stored session holds, read in one go. */
export interface StoredSession {
  readonly settings: SettingsRecord | null;
  readonly session: SessionRecord | null;
  readonly models: ModelRecord[];
  readonly files: FileRecord[];
  readonly images: ImageRecord[];
  readonly labels: LabelRecord[];
  readonly results: ResultRecord[];
  readonly checkpoint: CheckpointRecord | null;
}

export async function readSession(db: SessionDb): Promise<StoredSession> {
  const [settings, session, models, files, images, labels, results, checkpoint] = await Promise.all([
    db.get('meta', 'settings'),
    db.get('meta', 'session'),
    db.getAll('models'),
    db.getAll('files'),
    db.getAll('images'),
    db.getAll('labels'),
    db.getAll('results'),
    db.get('checkpoint', 'current'),
  ]);
  return {
    settings: (settings as SettingsRecord | undefined) ?? null,
    session: (session as SessionRecord | undefined) ?? null,
    models: models.sort((a, b) => a.order - b.order),
    files,
    images: images.sort((a, b) => a.order - b.order),
    labels,
    results,
    checkpoint: checkpoint ?? null,
  };
}

export function isEmptySession(s: StoredSession): boolean {
  return s.images.length === 0 && s.models.length === 0 && s.checkpoint === null;
}

/** How the app takes each part back (persistSlice.ts); each may throw for its one item. */
export interface RestoreTarget {
  applySettings(settings: SettingsRecord): void;
  /** Registers a kept model under its stored id; resolves to the revision the worker computed. */
  addModel(model: ModelRecord): Promise<string>;
  /** Decodes `file` once and adds its stored pages in list order. */
  addImages(file: FileRecord, images: readonly ImageRecord[]): Promise<void>;
  setLabels(labels: LabelRecord): void;
  setResult(result: RestoredResult): void;
  select(session: SessionRecord): Promise<void>;
}

export interface RestoreReport {
  readonly images: number;
  readonly models: number;
  readonly labels: number;
  readonly results: number;
  /** One sentence per item that could not come back. */
  readonly problems: string[];
}

function text(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Brings a stored session back in dependency order: settings, then kept models (images name them), then
 * images (labels and results need their pixels), labels, results, and last the selection (it loads the
 * shown image's model). One broken item is reported and skipped; the rest still comes back.
 */
export async function restoreSession(stored: StoredSession, target: RestoreTarget): Promise<RestoreReport> {
  const problems: string[] = [];
  if (stored.settings) target.applySettings(stored.settings);
  let models = 0;
  for (const m of stored.models) {
    try {
      const revision = await target.addModel(m);
      if (revision !== m.revision) problems.push(`The kept model "${m.label}" came back with other weights than were stored (revision ${revision.slice(0, 8)}, not ${m.revision.slice(0, 8)}).`);
      models++;
    } catch (error) {
      problems.push(`The kept model "${m.label}" could not be restored: ${text(error)}.`);
    }
  }
  const restored = new Set<string>();
  const files = new Map(stored.files.map((f) => [f.key, f]));
  const byFile = new Map<string, ImageRecord[]>();
  for (const image of stored.images) byFile.set(image.fileKey, [...(byFile.get(image.fileKey) ?? []), image]);
  for (const [key, images] of byFile) {
    const file = files.get(key);
    if (!file) {
      problems.push(`${images[0].name}: its file was not stored, so it could not be restored.`);
      continue;
    }
    try {
      await target.addImages(file, images);
      for (const i of images) restored.add(i.id);
    } catch (error) {
      problems.push(`${images[0].name} could not be restored: ${text(error)}.`);
    }
  }
  let labels = 0;
  for (const l of stored.labels) {
    if (!restored.has(l.id)) continue;
    try {
      target.setLabels(l);
      labels++;
    } catch (error) {
      problems.push(`The painted labels of ${stored.images.find((i) => i.id === l.id)?.name ?? l.id} could not be restored: ${text(error)}.`);
    }
  }
  let results = 0;
  for (const r of stored.results) {
    if (!restored.has(r.imageId)) continue;
    try {
      target.setResult(await restoredResult(r));
      results++;
    } catch (error) {
      problems.push(`A result could not be restored: ${text(error)}.`);
    }
  }
  if (stored.session) await target.select(stored.session);
  return { images: restored.size, models, labels, results, problems };
}
