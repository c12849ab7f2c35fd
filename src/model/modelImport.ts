import type * as tf from '@tensorflow/tfjs';
import { strFromU8 } from 'fflate';
import { baseName, folderOf } from '../image/entryNames';
import { checkTopology, checkWeightShapes, checkWeightSpec } from './architectureCheck';
import type { CheckedWeightSpec } from './architectureCheck';
import { ModelImportError, formatBytes, refuse } from './importErrors';
import { MODEL_FILES, artifactsFromModelJson, parseModelCard } from './io';
import type { ModelCard } from './types';
import { DEFAULT_IMPORT_LIMITS, checkEntryList, looksLikeZip, readZipEntries } from './zipEntries';
import type { EntryMap, ImportLimits } from './zipEntries';

/*
 * Model import (issue 9): a ZIP, or loose files (model.json + weight shard(s) + model-card.json), or a
 * bioimage.io package written by bioimageio/package.ts (its tfjs weights are a ZIP inside the ZIP). Pure
 * and synchronous: nothing is loaded, no tensor is made, so a refused import changes nothing. Every
 * refusal is a ModelImportError whose message names the file and the problem; on success the artifacts
 * and card go straight to segmenterFromArtifacts (io.ts).
 *
 * Checks, in order: archive and names (zipEntries.ts), presence of model.json and model-card.json, JSON
 * syntax, the card, input channels against what the caller needs, the topology and every weight spec
 * against the card's architecture (architectureCheck.ts), presence of every shard, and shard sizes
 * against the weight specs.
 */

/** A file handed over by the user (name may be a relative path, e.g. from a dropped folder). */
export interface NamedFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Options of an import. */
export interface ModelImportOptions {
  /** Refuse a model whose input channels differ (e.g. 1 when the session's images are grey). */
  readonly expectInChannels?: number;
  /** Overrides of DEFAULT_IMPORT_LIMITS. */
  readonly limits?: Partial<ImportLimits>;
  /** Name of the ZIP for messages (default "the ZIP"). */
  readonly fileName?: string;
}

/** A validated model, ready for segmenterFromArtifacts(artifacts, card). */
export interface ImportedModel {
  readonly artifacts: tf.io.ModelArtifacts;
  readonly card: ModelCard;
  /** Where model.json was found, for messages: e.g. "nuclei.zip", "nuclei.zip > tfjs_weights.zip". */
  readonly source: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJsonEntry(entries: EntryMap, name: string, where: string, limits: ImportLimits): unknown {
  const bytes = entries.get(name);
  if (bytes === undefined) return refuse('missing-file', `${name} is missing from ${where}`);
  if (bytes.length > limits.maxJsonBytes) {
    refuse('too-large', `${name} in ${where} is ${formatBytes(bytes.length)}; JSON files may be at most ${formatBytes(limits.maxJsonBytes)}`);
  }
  const text = strFromU8(bytes).replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    return refuse('malformed-json', `${name} in ${where} is not valid JSON: ${(error as Error).message}`);
  }
}

function listNames(entries: EntryMap): string {
  const names = [...entries.keys()];
  if (names.length === 0) return 'found nothing';
  const shown = names.slice(0, 6).join(', ');
  return `found ${shown}${names.length > 6 ? `, … (${names.length} files)` : ''}`;
}

/** The single model.json among the entries (at any folder depth), or null when there is none. */
function findModelJson(entries: EntryMap, where: string): string | null {
  const found = [...entries.keys()].filter((n) => baseName(n) === MODEL_FILES.modelJson);
  if (found.length > 1) {
    refuse('duplicate-name', `there are ${found.length} model.json files in ${where} (${found.join(', ')}); import one model at a time`);
  }
  return found[0] ?? null;
}

function checkCard(json: unknown, where: string, expectInChannels: number | undefined): ModelCard {
  let card: ModelCard;
  try {
    card = parseModelCard(json);
  } catch (error) {
    return refuse('bad-card', `${MODEL_FILES.card} in ${where} is not a valid model card: ${(error as Error).message.replace(/^model card: /, '')}`);
  }
  const have = card.architecture.inChannels;
  if (expectInChannels !== undefined && have !== expectInChannels) {
    refuse(
      'channels-mismatch',
      `the model "${card.name}" takes ${have} input channel(s) but ${expectInChannels} are needed here ` +
        `(${expectInChannels === 1 ? 'grey' : 'colour'} images)`,
    );
  }
  return card;
}

interface ManifestGroup {
  readonly paths: readonly string[];
  readonly specs: readonly CheckedWeightSpec[];
}

/** Structure of model.json: a layers model with a weights manifest; returns its groups, specs checked. */
function readManifest(modelJson: unknown, where: string): ManifestGroup[] {
  if (!isRecord(modelJson) || !isRecord(modelJson.modelTopology)) {
    return refuse('bad-model-json', `model.json in ${where} is not a tfjs layers model (no modelTopology)`);
  }
  if (modelJson.format !== undefined && modelJson.format !== 'layers-model') {
    refuse('bad-model-json', `model.json in ${where} is a tfjs ${JSON.stringify(modelJson.format)}; only layers models are read`);
  }
  const manifest = modelJson.weightsManifest;
  if (!Array.isArray(manifest) || manifest.length === 0) {
    return refuse('missing-file', `model.json in ${where} has no weightsManifest, so its weights cannot be found`);
  }
  let index = 0;
  return manifest.map((group: unknown, g) => {
    if (!isRecord(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      return refuse('bad-model-json', `model.json in ${where}: weightsManifest group ${g + 1} lacks paths or weights`);
    }
    if (!group.paths.every((p) => typeof p === 'string' && p !== '')) {
      refuse('bad-model-json', `model.json in ${where}: weightsManifest group ${g + 1} has a path that is not a file name`);
    }
    const specs = (group.weights as unknown[]).map((spec) => checkWeightSpec(spec, index++));
    return { paths: group.paths as string[], specs };
  });
}

/** Finds the shards of each group, checks their sizes, and concatenates them in manifest order. */
function gatherWeights(entries: EntryMap, folder: string, groups: readonly ManifestGroup[], where: string): ArrayBuffer {
  const parts: Uint8Array[] = [];
  const used = new Set<string>();
  for (const group of groups) {
    let have = 0;
    for (const path of group.paths) {
      // A shard path is relative to model.json; one that climbs out of the folder is never looked up.
      const name = folder + path;
      if (path.includes('\\') || path.split('/').some((s) => s === '..' || s === '.' || s === '') || path.startsWith('/')) {
        refuse('unsafe-name', `model.json in ${where} names the weight file "${path}", which is not a plain relative path`);
      }
      if (used.has(name)) refuse('bad-model-json', `model.json in ${where} names the weight file ${path} twice`);
      used.add(name);
      const shard = entries.get(name);
      if (shard === undefined) {
        return refuse('missing-file', `the weights are missing: model.json names ${path}, which is not in ${where}`);
      }
      have += shard.length;
      parts.push(shard);
    }
    const need = group.specs.reduce((n, s) => n + s.bytes, 0);
    if (have !== need) {
      const files = `${group.paths.join(' + ')} ${group.paths.length === 1 ? 'holds' : 'hold'} ${have} bytes`;
      refuse(
        'weights-size',
        have < need
          ? `the weights are too short: ${files} but model.json's ${group.specs.length} weights need ${need}`
          : `the weights are too long: ${files} but model.json's ${group.specs.length} weights need only ${need}`,
      );
    }
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    joined.set(p, offset);
    offset += p.length;
  }
  return joined.buffer;
}

/** Validates model.json + card + shards found among `entries`; `cardFallback` is used when no card sits beside model.json. */
function importEntries(
  entries: EntryMap,
  where: string,
  modelJsonName: string,
  options: ModelImportOptions,
  limits: ImportLimits,
  cardFallback?: unknown,
): ImportedModel {
  const folder = folderOf(modelJsonName);
  const cardName = folder + MODEL_FILES.card;
  if (!entries.has(cardName) && cardFallback === undefined) {
    refuse('missing-file', `${MODEL_FILES.card} is missing from ${where} (U-Net Studio needs the card beside model.json: architecture, normalisation)`);
  }
  const modelJson = parseJsonEntry(entries, modelJsonName, where, limits);
  const cardJson = entries.has(cardName) ? parseJsonEntry(entries, cardName, where, limits) : cardFallback;
  const card = checkCard(cardJson, where, options.expectInChannels);
  const groups = readManifest(modelJson, where);
  checkTopology((modelJson as Record<string, unknown>).modelTopology, card.architecture);
  checkWeightShapes(groups.flatMap((g) => g.specs), card.architecture);
  const weights = gatherWeights(entries, folder, groups, where);
  const artifacts = artifactsFromModelJson(modelJson as unknown as tf.io.ModelJSON, weights);
  return { artifacts, card, source: where };
}

function mergedLimits(options: ModelImportOptions): ImportLimits {
  return { ...DEFAULT_IMPORT_LIMITS, ...options.limits };
}

/**
 * Imports a model from a ZIP: model.json + shard(s) + model-card.json (at the root or in one folder), or
 * a bioimage.io package whose tfjs weights are a ZIP inside it (one level of nesting).
 * @throws ModelImportError
 */
export function importModelZip(bytes: Uint8Array, options: ModelImportOptions = {}): ImportedModel {
  const limits = mergedLimits(options);
  const where = options.fileName ?? 'the ZIP';
  const entries = readZipEntries(bytes, limits, where);
  const modelJsonName = findModelJson(entries, where);
  if (modelJsonName !== null) return importEntries(entries, where, modelJsonName, options, limits);

  // A bioimage.io package: rdf.yaml beside a ZIP of the tfjs files (bioimage.io's tensorflow_js format).
  const nested = [...entries.keys()].filter((n) => n.toLowerCase().endsWith('.zip'));
  if (nested.length !== 1) {
    refuse('missing-file', `there is no model.json (a tfjs layers model) in ${where}; ${listNames(entries)}`);
  }
  const innerWhere = `${where} > ${nested[0]}`;
  const outerBytes = [...entries.values()].reduce((n, b) => n + b.length, 0);
  const inner = readZipEntries(entries.get(nested[0]) as Uint8Array, limits, innerWhere, limits.maxTotalBytes - outerBytes);
  const innerModelJson = findModelJson(inner, innerWhere);
  if (innerModelJson === null) refuse('missing-file', `there is no model.json (a tfjs layers model) in ${innerWhere}; ${listNames(inner)}`);
  // The card normally travels inside the weights ZIP; one beside rdf.yaml is read only when it does not.
  const outerCard = [...entries.keys()].find((n) => baseName(n) === MODEL_FILES.card);
  const innerHasCard = inner.has(folderOf(innerModelJson) + MODEL_FILES.card);
  const cardFallback = innerHasCard || outerCard === undefined ? undefined : parseJsonEntry(entries, outerCard, where, limits);
  return importEntries(inner, innerWhere, innerModelJson, options, limits, cardFallback);
}

/**
 * Imports a model from loose files (a multi-file pick or a dropped folder): model.json, its shard(s) and
 * model-card.json; other files are ignored. Names are checked as strictly as ZIP entries.
 * @throws ModelImportError
 */
export function importModelFiles(files: readonly NamedFile[], options: ModelImportOptions = {}): ImportedModel {
  const limits = mergedLimits(options);
  const where = 'the chosen files';
  const infos = files.map((f) => ({ name: f.name, originalSize: f.bytes.length, compression: 0, bytes: f.bytes }));
  const wanted = checkEntryList(infos, where, limits, limits.maxTotalBytes);
  const entries = new Map(wanted.map((f) => [f.name, f.bytes]));
  const modelJsonName = findModelJson(entries, where);
  if (modelJsonName === null) refuse('missing-file', `there is no model.json (a tfjs layers model) in ${where}; ${listNames(entries)}`);
  return importEntries(entries, where, modelJsonName, options, limits);
}

/**
 * Imports whatever the user handed over: one ZIP (plain or a bioimage.io package), or loose files.
 * @throws ModelImportError
 */
export function importModel(files: readonly NamedFile[], options: ModelImportOptions = {}): ImportedModel {
  if (files.length === 1 && looksLikeZip(files[0].bytes)) {
    return importModelZip(files[0].bytes, { ...options, fileName: options.fileName ?? files[0].name });
  }
  return importModelFiles(files, options);
}

/** True when `error` is an import refusal (as opposed to a bug). */
export function isModelImportError(error: unknown): error is ModelImportError {
  return error instanceof ModelImportError;
}
