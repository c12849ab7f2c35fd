import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { CheckpointRecord, FileRecord, ImageRecord, LabelRecord, ModelRecord, ResultRecord, SessionRecord, SettingsRecord } from './records';

/** The stored session: one IndexedDB database per origin (one session per browser profile). */
export const DB_NAME = 'unet-studio-session';
export const DB_VERSION = 1;

export interface SessionSchema extends DBSchema {
  files: { key: string; value: FileRecord };
  images: { key: string; value: ImageRecord };
  labels: { key: string; value: LabelRecord };
  results: { key: string; value: ResultRecord; indexes: { byImage: string } };
  models: { key: string; value: ModelRecord };
  checkpoint: { key: 'current'; value: CheckpointRecord };
  meta: { key: 'settings' | 'session'; value: SettingsRecord | SessionRecord };
}

export type SessionDb = IDBPDatabase<SessionSchema>;
export type StoreName = 'files' | 'images' | 'labels' | 'results' | 'models' | 'checkpoint' | 'meta';
export const storeNames: readonly StoreName[] = ['files', 'images', 'labels', 'results', 'models', 'checkpoint', 'meta'];

/** Opens (and on first use creates) the session database; rejects where storage is denied or unavailable. */
export async function openSessionDb(): Promise<SessionDb> {
  if (typeof indexedDB === 'undefined') throw Object.assign(new Error('this browser offers no IndexedDB here'), { name: 'UnavailableError' });
  // A blocked or broken IndexedDB fails here, before any data moves.
  return openDB<SessionSchema>(DB_NAME, DB_VERSION, {
    upgrade(db) {
      db.createObjectStore('files', { keyPath: 'key' });
      db.createObjectStore('images', { keyPath: 'id' });
      db.createObjectStore('labels', { keyPath: 'id' });
      const results = db.createObjectStore('results', { keyPath: 'rid' });
      results.createIndex('byImage', 'imageId');
      db.createObjectStore('models', { keyPath: 'id' });
      db.createObjectStore('checkpoint');
      db.createObjectStore('meta');
    },
    blocked() {
      // An older tab holds the previous version open: it is told to close (versionchange below).
    },
  });
}
