/**
 * Scoring for bench/finetune.ts: whole-image predictions with the app's overlap-tile inference, scored by
 * the same code as `npm run evaluate` (cli/evaluate.ts scoreProbabilities). The starting model's
 * predictions are computed once per case and cached under bench/out, keyed by the model's files and the
 * image list, since every strategy starts from the same model.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { scoreOnLabels } from '../src/image/labelScore';
import type { LabelScore } from '../src/image/labelScore';
import { foregroundMapOptions, MODEL_FILES } from '../src/model/io';
import { segmentPlane } from '../src/model/segment';
import type { ModelCard, Segmenter } from '../src/model/types';
import { METRIC_KEYS, meanMetrics, scoreProbabilities } from '../cli/evaluate';
import type { BenchImage, CaseData } from './finetuneCases';

/** Metrics of one scored image. */
export interface ImageScore {
  readonly name: string;
  readonly group: string;
  readonly metrics: Record<string, number>;
}

/** Foreground probability of the whole image, as the app computes it. */
export async function predict(segmenter: Segmenter, card: ModelCard, image: BenchImage): Promise<Float32Array> {
  const { probabilities } = await segmentPlane(segmenter, image.image, foregroundMapOptions(card));
  return probabilities;
}

/** Scores every held-out image of the case. */
export async function scoreHeldOut(segmenter: Segmenter, card: ModelCard, data: CaseData, log: (s: string) => void): Promise<ImageScore[]> {
  const out: ImageScore[] = [];
  for (const [k, { image, group }] of data.scoring.entries()) {
    const probabilities = await predict(segmenter, card, image);
    out.push({ name: image.name, group, metrics: scoreProbabilities(probabilities, image.truthRaster, data.score) });
    if ((k + 1) % 10 === 0 || k + 1 === data.scoring.length) log(`  scored ${k + 1}/${data.scoring.length}`);
  }
  return out;
}

/** Mean metrics per group and over all scored images. */
export function summarise(scores: readonly ImageScore[], data: CaseData): Record<string, Record<string, number>> {
  const keys = METRIC_KEYS[data.score.task];
  const groups = [...new Set(scores.map((s) => s.group))];
  const out: Record<string, Record<string, number>> = {};
  for (const g of groups) out[g] = meanMetrics(scores.filter((s) => s.group === g).map((s) => s.metrics), keys);
  if (groups.length > 1) out.all = meanMetrics(scores.map((s) => s.metrics), keys);
  return out;
}

/** Score on held-out corrections pooled over the images (pixels of all images count alike). */
export function scorePooled(probabilities: readonly Float32Array[], labels: readonly Uint8Array[]): LabelScore {
  const n = probabilities.reduce((s, p) => s + p.length, 0);
  const p = new Float32Array(n);
  const l = new Uint8Array(n);
  let offset = 0;
  probabilities.forEach((prob, i) => {
    p.set(prob, offset);
    l.set(labels[i], offset);
    offset += prob.length;
  });
  return scoreOnLabels(p, l);
}

/** The starting model's predictions on the correction images and its held-out scores. */
export interface StartingPoint {
  readonly correctionProbabilities: readonly Float32Array[];
  readonly scores: readonly ImageScore[];
}

function cacheKey(data: CaseData): string {
  const hash = createHash('sha256');
  for (const f of [MODEL_FILES.modelJson, MODEL_FILES.weights]) hash.update(readFileSync(path.join(data.modelDir, f)));
  hash.update(JSON.stringify(data.score));
  for (const img of [...data.corrections, ...data.scoring.map((s) => s.image)]) hash.update(img.name);
  return hash.digest('hex').slice(0, 16);
}

/** Loads the starting point from the cache, or computes and caches it. */
export async function startingPoint(
  segmenter: Segmenter,
  card: ModelCard,
  data: CaseData,
  cacheDir: string,
  log: (s: string) => void,
): Promise<StartingPoint> {
  const base = path.join(cacheDir, `${data.name}-${data.fold}-${cacheKey(data)}`);
  if (existsSync(`${base}.json`)) {
    const scores = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as ImageScore[];
    const correctionProbabilities = data.corrections.map((_, i) => {
      const bytes = readFileSync(`${base}.${i}.f32`);
      return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    });
    log(`starting point of ${data.name} fold ${data.fold} from the cache (${base})`);
    return { correctionProbabilities, scores };
  }
  log(`scoring the starting model on ${data.scoring.length} held-out images of ${data.name} (cached afterwards)`);
  const correctionProbabilities: Float32Array[] = [];
  for (const img of data.corrections) correctionProbabilities.push(await predict(segmenter, card, img));
  const scores = await scoreHeldOut(segmenter, card, data, log);
  mkdirSync(cacheDir, { recursive: true });
  correctionProbabilities.forEach((p, i) => writeFileSync(`${base}.${i}.f32`, new Uint8Array(p.buffer, p.byteOffset, p.byteLength)));
  writeFileSync(`${base}.json`, JSON.stringify(scores));
  return { correctionProbabilities, scores };
}
