import type { ChannelChoice } from '../../image/normalize';
import type { PostProcessing } from '../../image/postProcessing';
import type { TuningRecord } from '../../worker/protocol';

/*
 * What one stored session holds, one IndexedDB object store per kind (db.ts). Plain data only: every
 * record is structured-cloneable, and the pure serialisers (serialise.ts) turn app state into records and
 * back, so they are tested in Node without a browser.
 */

/** The original file an image came from: a multi-page TIFF is one file for several images. */
export interface FileRecord {
  /** The image's fingerprint (name, size and SHA-256 of the bytes, fingerprint.ts). */
  readonly key: string;
  readonly name: string;
  /** The file's own bytes, untouched: restoring decodes them again exactly as the first load did. */
  readonly blob: Blob;
}

/** One image of the list (page `page` of file `fileKey`). */
export interface ImageRecord {
  readonly id: string;
  /** Position in the list. */
  readonly order: number;
  readonly fileKey: string;
  readonly name: string;
  readonly path: string;
  readonly exportName: string;
  readonly page: number;
  readonly pageCount: number;
  readonly width: number;
  readonly height: number;
  readonly channel: ChannelChoice;
  readonly modelId: string | null;
  readonly fileBytes: number;
}

/** Painted labels of one image, deflated (labelCodec). */
export interface LabelRecord {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  readonly packed: Uint8Array;
  /** Painted since the last export (the list's "unsaved" mark). */
  readonly edited: boolean;
}

/** One cached probability map: image `imageId` under prediction key `key` (weights revision + channel). */
export interface ResultRecord {
  /** `${imageId}|${key}` */
  readonly rid: string;
  readonly imageId: string;
  readonly key: string;
  readonly width: number;
  readonly height: number;
  /**
   * width x height float32 values as a Blob: putting a 2048x2048 map as a Float32Array structured-cloned
   * 16 MB on the main thread (a 250 ms task); a Blob is cloned by reference. Sessions stored before hold
   * the Float32Array itself, and still restore.
   */
  readonly probabilities: Blob | Float32Array;
  /**
   * The model that made it, the post-processing of its objects and the object scale it was made at (absent
   * in sessions stored before; a missing scale is 1).
   */
  readonly madeWith?: { readonly modelId: string | null; readonly settings: PostProcessing; readonly scale?: number };
}

/** A result as the app takes it back: its values read. */
export type RestoredResult = Omit<ResultRecord, 'probabilities'> & { readonly probabilities: Float32Array };

/** A kept model: its library entry and its files as the worker exports them (one model ZIP). */
export interface ModelRecord {
  readonly id: string;
  readonly order: number;
  readonly label: string;
  readonly revision: string;
  readonly tuning?: TuningRecord;
  readonly origin?: { readonly kind: 'imported' | 'copy'; readonly from: string };
  readonly zip: Uint8Array;
}

/** The best weights of a fine-tune so far, saved whenever its validation improves. */
export interface CheckpointRecord {
  readonly runId: string;
  readonly parentId: string;
  readonly parentName: string;
  readonly modelId: string;
  readonly name: string;
  /** Step of the kept weights. */
  readonly step: number;
  readonly requestedSteps: number;
  readonly zip: Uint8Array;
  readonly savedAt: string;
}

/** User settings that shape the results and the work (not transient view state). */
export interface SettingsRecord {
  readonly classes: readonly [{ readonly name: string; readonly color: string }, { readonly name: string; readonly color: string }];
  /** Post-processing per model id, only for models whose settings the user changed (postProcessingSlice). */
  readonly postProcessing: Readonly<Record<string, PostProcessing>>;
  /** The object diameter chosen per image id (objectScaleSlice): px, 'auto' or 'off'. */
  readonly diameterOverrides: Readonly<Record<string, number | 'auto' | 'off'>>;
  readonly tta: boolean;
  readonly brushSize: number;
  readonly activeClass: 1 | 2;
  readonly overlays: Readonly<Record<string, { readonly visible: boolean; readonly opacity: number }>>;
  readonly trainOverrides: Readonly<Record<string, number | string>>;
  readonly previewEvery: number;
  readonly useAllLabels: boolean;
}

/** Where the user was: the shown image and the model chosen for new images. */
export interface SessionRecord {
  readonly selectedId: string | null;
  readonly modelId: string | null;
}
