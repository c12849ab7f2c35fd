/**
 * Model directories on disk (Node): model.json + group1-shard1of1.bin in the standard tfjs layers format,
 * with model-card.json beside them. The same directory, served over HTTP, loads in the browser with
 * tf.loadLayersModel(url + '/model.json') and a fetch of model-card.json.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import {
  MODEL_FILES,
  artifactsFromModelJson,
  artifactsToModelJson,
  artifactsWeightData,
  parseModelCard,
  segmenterFromArtifacts,
  segmenterToArtifacts,
} from '../src/model/io';
import { artifactsAsFloat16 } from '../src/model/float16Weights';
import type { ModelCard, Segmenter } from '../src/model/types';

/** How the weights are stored: float32, or float16 (half the bytes; src/model/float16Weights.ts). */
export type WeightStorage = 'float32' | 'float16';

/** Writes the model and its card into `dir` (created if missing; existing files are replaced). */
export async function saveModelDir(dir: string, segmenter: Segmenter, card: ModelCard, weights: WeightStorage = 'float32'): Promise<void> {
  const checked = parseModelCard(card);
  if (JSON.stringify(checked.architecture) !== JSON.stringify(segmenter.config)) {
    throw new Error(`saveModelDir: the card's architecture does not match the model's config`);
  }
  const float32 = await segmenterToArtifacts(segmenter);
  const artifacts = weights === 'float16' ? artifactsAsFloat16(float32, artifactsWeightData(float32)) : float32;
  const modelJson = artifactsToModelJson(artifacts, MODEL_FILES.weights);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, MODEL_FILES.weights), new Uint8Array(artifactsWeightData(artifacts)));
  await fs.writeFile(path.join(dir, MODEL_FILES.modelJson), JSON.stringify(modelJson));
  await fs.writeFile(path.join(dir, MODEL_FILES.card), JSON.stringify(checked, null, 2) + '\n');
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Loads a model directory written by saveModelDir (or any tfjs layers model with a card beside it). */
export async function loadModelDir(dir: string): Promise<{ segmenter: Segmenter; card: ModelCard }> {
  const card = parseModelCard(await readJson(path.join(dir, MODEL_FILES.card)));
  const modelJson = (await readJson(path.join(dir, MODEL_FILES.modelJson))) as Parameters<typeof artifactsFromModelJson>[0];
  if (!Array.isArray(modelJson?.weightsManifest)) throw new Error(`${path.join(dir, MODEL_FILES.modelJson)} has no weightsManifest`);
  // Shards in manifest order, concatenated: the layout tfjs's own loaders produce.
  const shards: Uint8Array[] = [];
  for (const group of modelJson.weightsManifest) {
    for (const p of group.paths) shards.push(await fs.readFile(path.join(dir, p)));
  }
  const total = shards.reduce((n, s) => n + s.byteLength, 0);
  const weights = new Uint8Array(total);
  let offset = 0;
  for (const s of shards) {
    weights.set(s, offset);
    offset += s.byteLength;
  }
  const segmenter = await segmenterFromArtifacts(artifactsFromModelJson(modelJson, weights.buffer), card);
  return { segmenter, card };
}
