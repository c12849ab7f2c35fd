import * as tf from '@tensorflow/tfjs';
import { defaultNormalization } from '../image/normalize';
import type { NormalizationSpec } from '../image/normalize';
import { classWeightsProblem } from './classWeights';
import { flopsPer512 } from './flops';
import { parsePostProcessing } from '../image/postProcessing';
import { checkTrainingRecipe } from './recipeDefaults';
import type { ModelCard, Segmenter, UnetConfig } from './types';
import { segmenterFromModel } from './unet';
import { assertConfig } from './validSize';

/*
 * Saving and loading in the standard tfjs layers format: model.json (topology + weights manifest) and
 * one binary weight shard, with our model card (model-card.json) beside them. Everything here is pure
 * (no fs, no fetch): cli/modelFiles.ts writes the files in Node, the worker fetches them in the browser
 * (tf.loadLayersModel(url) + fetch of model-card.json). Importing this module registers the custom
 * SkipCrop2D layer (via unet.ts), which loading needs.
 */

/** The standard file names, so the browser can load a directory with tf.loadLayersModel(url). */
export const MODEL_FILES = {
  modelJson: 'model.json',
  weights: 'group1-shard1of1.bin',
  card: 'model-card.json',
} as const;

/** Serialises the model (topology, weight specs, weight data) in memory. */
export async function segmenterToArtifacts(segmenter: Segmenter): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | null = null;
  await segmenter.model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (captured === null) throw new Error('segmenterToArtifacts: tfjs did not hand over the model artifacts');
  return captured;
}

/** Rebuilds a Segmenter from in-memory artifacts and its card (whose architecture must match). */
export async function segmenterFromArtifacts(artifacts: tf.io.ModelArtifacts, card: ModelCard): Promise<Segmenter> {
  const checked = parseModelCard(card);
  const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  try {
    return segmenterFromModel(model, checked.architecture);
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** model.json contents for artifacts whose weights are stored in one shard named `weightsPath`. */
export function artifactsToModelJson(artifacts: tf.io.ModelArtifacts, weightsPath: string = MODEL_FILES.weights): tf.io.ModelJSON {
  if (!artifacts.modelTopology || !artifacts.weightSpecs) {
    throw new Error('artifactsToModelJson: artifacts lack a topology or weight specs');
  }
  const json: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [weightsPath], weights: artifacts.weightSpecs }],
  };
  if (artifacts.trainingConfig) json.trainingConfig = artifacts.trainingConfig;
  return json;
}

/** The single weight buffer of the artifacts (tfjs may hand over several chunks). */
export function artifactsWeightData(artifacts: tf.io.ModelArtifacts): ArrayBuffer {
  if (!artifacts.weightData) throw new Error('artifactsWeightData: artifacts carry no weights');
  return tf.io.CompositeArrayBuffer.join(artifacts.weightData);
}

/** Artifacts from a parsed model.json and the concatenated bytes of its shards (in manifest order). */
export function artifactsFromModelJson(modelJson: tf.io.ModelJSON, weightData: ArrayBuffer): tf.io.ModelArtifacts {
  if (typeof modelJson !== 'object' || modelJson === null || !modelJson.modelTopology || !Array.isArray(modelJson.weightsManifest)) {
    throw new Error('model.json: expected a tfjs layers model with modelTopology and weightsManifest');
  }
  const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
  return tf.io.getModelArtifactsForJSONSync(modelJson, weightSpecs, weightData);
}

/** Fields a caller chooses; the rest of the card is derived from the segmenter. */
export interface ModelCardFields {
  readonly name: string;
  readonly task: ModelCard['task'];
  readonly description: string;
  readonly normalization?: NormalizationSpec;
  readonly foregroundClass?: number;
  readonly classWeights?: ModelCard['classWeights'];
  readonly trainedSteps?: number;
  readonly training?: ModelCard['training'];
  readonly metrics?: ModelCard['metrics'];
  readonly heldOut?: string;
  readonly recipe?: ModelCard['recipe'];
  readonly postProcessing?: ModelCard['postProcessing'];
  readonly objectDiameter?: ModelCard['objectDiameter'];
  readonly rescale?: ModelCard['rescale'];
}

/** A complete card for a segmenter: architecture, parameter count and FLOPs per 512x512 filled in. */
export function createModelCard(segmenter: Segmenter, fields: ModelCardFields): ModelCard {
  return parseModelCard({
    ...fields,
    architecture: segmenter.config,
    normalization: fields.normalization ?? defaultNormalization,
    foregroundClass: fields.foregroundClass ?? 1,
    createdAt: new Date().toISOString(),
    trainedSteps: fields.trainedSteps ?? 0,
    flopsPer512: flopsPer512(segmenter.config),
    parameters: segmenter.model.countParams(),
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates parsed model-card.json content, with a message naming the first bad field. */
export function parseModelCard(json: unknown): ModelCard {
  const bad = (field: string, why: string): never => {
    throw new Error(`model card: ${field} ${why}`);
  };
  if (!isRecord(json)) return bad('', 'must be a JSON object');
  if (typeof json.name !== 'string' || json.name === '') bad('name', 'must be a non-empty string');
  if (json.task !== 'nuclei' && json.task !== 'membranes' && json.task !== 'generic') {
    bad('task', "must be 'nuclei', 'membranes' or 'generic'");
  }
  if (typeof json.description !== 'string') bad('description', 'must be a string');
  const arch = json.architecture;
  if (!isRecord(arch)) return bad('architecture', 'must be an object');
  try {
    assertConfig(arch as unknown as UnetConfig);
  } catch (error) {
    bad('architecture', `is invalid: ${(error as Error).message}`);
  }
  const norm = json.normalization;
  if (!isRecord(norm) || (norm.mode !== 'percentile' && norm.mode !== 'fixed')) {
    bad('normalization', "must be { mode: 'percentile' | 'fixed', ... }");
  }
  const classes = (arch as unknown as UnetConfig).classes;
  const fg = json.foregroundClass;
  if (typeof fg !== 'number' || !Number.isInteger(fg) || fg < 0 || fg >= classes) {
    bad('foregroundClass', `must be an integer class index below ${classes}`);
  }
  if (json.classWeights !== undefined) {
    const problem = classWeightsProblem(json.classWeights, classes);
    if (problem !== null) bad('classWeights', problem);
  }
  if (typeof json.createdAt !== 'string') bad('createdAt', 'must be an ISO date string');
  if (typeof json.trainedSteps !== 'number' || json.trainedSteps < 0) bad('trainedSteps', 'must be a non-negative number');
  if (json.recipe !== undefined) checkTrainingRecipe(json.recipe, 'recipe', bad);
  if (json.postProcessing !== undefined) {
    try {
      parsePostProcessing(json.postProcessing, json.task === 'membranes' ? 'cells' : 'foreground');
    } catch (error) {
      bad('postProcessing', `is invalid: ${(error as Error).message}`);
    }
  }
  if (json.objectDiameter !== undefined && !(typeof json.objectDiameter === 'number' && json.objectDiameter > 0 && Number.isFinite(json.objectDiameter))) {
    bad('objectDiameter', 'must be a positive number of pixels');
  }
  if (json.rescale !== undefined && json.rescale !== 'auto' && json.rescale !== 'off') bad('rescale', "must be 'auto' or 'off'");
  if (json.rescale === 'auto' && json.objectDiameter === undefined) bad('rescale', "'auto' needs objectDiameter");
  return json as unknown as ModelCard;
}

/** The options that make a segmentation return the card's foreground map (its class, or its class weights). */
export function foregroundMapOptions(card: Pick<ModelCard, 'foregroundClass' | 'classWeights'>): {
  readonly foregroundClass: number;
  readonly classWeights?: readonly number[];
} {
  return { foregroundClass: card.foregroundClass, classWeights: card.classWeights };
}
