import type * as tf from '@tensorflow/tfjs';
import { strToU8, zipSync } from 'fflate';
import type { Zippable } from 'fflate';
import { checkWeightShapes, checkWeightSpec } from './architectureCheck';
import { MODEL_FILES, artifactsToModelJson, artifactsWeightData, parseModelCard, segmenterToArtifacts } from './io';
import type { NamedFile } from './modelImport';
import type { ModelCard, Segmenter } from './types';

/*
 * Model export: the three files of a model (model.json, its one weight shard, model-card.json) and the
 * ZIP of them, which importModelZip reads back. Pure apart from segmenterToArtifacts (which reads the
 * weights off the backend): the worker can call modelFiles() and hand the bytes to the main thread.
 * The ZIP is deterministic (entry times come from the card), so one model revision gives one file.
 */

function cardChecked(artifacts: tf.io.ModelArtifacts, card: ModelCard): ModelCard {
  const checked = parseModelCard(card);
  if (!artifacts.weightSpecs) throw new Error('model export: the artifacts carry no weight specs');
  try {
    checkWeightShapes(artifacts.weightSpecs.map(checkWeightSpec), checked.architecture);
  } catch (error) {
    throw new Error(`model export: the card does not describe this model: ${(error as Error).message}`);
  }
  return checked;
}

/** model.json, the weight shard and model-card.json of in-memory artifacts, as bytes. */
export function modelFilesFromArtifacts(artifacts: tf.io.ModelArtifacts, card: ModelCard): NamedFile[] {
  const checked = cardChecked(artifacts, card);
  return [
    { name: MODEL_FILES.modelJson, bytes: strToU8(JSON.stringify(artifactsToModelJson(artifacts, MODEL_FILES.weights))) },
    { name: MODEL_FILES.weights, bytes: new Uint8Array(artifactsWeightData(artifacts).slice(0)) },
    { name: MODEL_FILES.card, bytes: strToU8(JSON.stringify(checked, null, 2) + '\n') },
  ];
}

/** The model files of a segmenter (reads its weights). */
export async function modelFiles(segmenter: Segmenter, card: ModelCard): Promise<NamedFile[]> {
  return modelFilesFromArtifacts(await segmenterToArtifacts(segmenter), card);
}

/**
 * Entry date of the ZIPs of this card: its creation date when a ZIP can hold it (1980..2099), else
 * 1980-01-01. Fixed, so that one model revision always gives the same bytes (and the same sha256).
 */
export function modelZipTime(card: ModelCard): Date {
  const t = new Date(card.createdAt);
  const year = t.getUTCFullYear();
  return Number.isFinite(t.getTime()) && year >= 1980 && year < 2100 ? t : new Date(Date.UTC(1980, 0, 1));
}

/**
 * Packs files into a ZIP. Binary weights and already-compressed files are stored (float32 weights
 * barely deflate); JSON, text and .npy are deflated. `time` fixes every entry's date (determinism).
 */
export function zipFiles(files: readonly NamedFile[], time: Date): Uint8Array {
  const zippable: Zippable = {};
  for (const f of files) {
    if (Object.hasOwn(zippable, f.name)) throw new Error(`zipFiles: two files are named ${f.name}`);
    const stored = /\.(bin|zip|png|jpe?g|tiff?)$/i.test(f.name);
    zippable[f.name] = [f.bytes, { level: stored ? 0 : 6, mtime: time }];
  }
  return zipSync(zippable);
}

/** The model ZIP of in-memory artifacts: model.json, group1-shard1of1.bin, model-card.json at the root. */
export function modelZipFromArtifacts(artifacts: tf.io.ModelArtifacts, card: ModelCard): Uint8Array {
  return zipFiles(modelFilesFromArtifacts(artifacts, card), modelZipTime(card));
}

/** The model ZIP of a segmenter (reads its weights). */
export async function modelZip(segmenter: Segmenter, card: ModelCard): Promise<Uint8Array> {
  return modelZipFromArtifacts(await segmenterToArtifacts(segmenter), card);
}
