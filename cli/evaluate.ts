/**
 * npm run evaluate -- --model MODEL --images DIR --labels DIR --task nuclei|membranes
 *                     [--labels-format binary|instance] [--membrane-value V] [--tta] [--json FILE]
 *                     [--probabilities DIR] [post-processing flags]
 * Segments every image with the model (overlap-tile, same code as the app) and scores it against its
 * label file: foreground IoU, Dice, pixel error; nuclei also AP@0.5 and F1 of one-to-one matched
 * objects; membranes the ISBI Rand error of the cells (the post-processing's objects) and, for
 * comparison, of the 4-connected pieces of the thresholded non-membrane (maskRandError). Objects come
 * from the same post-processing as segment and the app (cli/postProcessingFlags.ts). With
 * --probabilities the maps saved by segment --prob-float are scored instead of running the model.
 * Prints a table; --json writes {mean, images}; --write-card stores the means in the model's card.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { connectedComponents } from '../src/image/components';
import { membraneMetrics, nucleiMetrics, randScores } from '../src/image/metrics';
import { prepareInput } from '../src/image/normalize';
import { objectsFromProbability, type PostProcessing } from '../src/image/postProcessing';
import type { RasterImage } from '../src/image/types';
import { MODEL_FILES, parseModelCard } from '../src/model/io';
import { choiceFlag, numberFlag, optionalString, parseFlags, requiredString, runMain, UsageError } from './args';
import type { OptionSpec } from './args';
import { initNodeBackend } from './backend';
import { warnLabelClasses } from './labelClasses';
import { fileFilterFromFlags, filterFiles, labelFileFor, labelsFromRaster, listImageFiles, readRaster, stemOf } from './dataset';
import type { Task } from './dataset';
import { describePostProcessing, objectKindForTask, POST_PROCESSING_SPEC, POST_PROCESSING_USAGE, postProcessingFromFlags } from './postProcessingFlags';
import { probabilityFileFor, readProbabilityMap } from './probabilityFiles';
import { DEFAULT_ENGINE, ENGINE_KINDS, createEngine } from './engine';

const USAGE = `usage: npm run evaluate -- --model MODEL_DIR --images DIR --labels DIR --task nuclei|membranes
         [--labels-format binary|instance] [--membrane-value V] [--tta] [--json FILE]
         [--ids 20-24 | --list FILE | --group G | --holdout-group G] [--metadata CSV]
         [--probabilities DIR (NAME_prob.tif from segment --prob-float; then --model is optional)]
         [--write-card] [--backend wasm|cpu] [--engine onnx|tfjs]
${POST_PROCESSING_USAGE}`;

const SPEC: OptionSpec = {
  model: { type: 'string' },
  images: { type: 'string' },
  labels: { type: 'string' },
  task: { type: 'string' },
  'labels-format': { type: 'string' },
  'membrane-value': { type: 'string' },
  tta: { type: 'boolean' },
  json: { type: 'string' },
  ids: { type: 'string' },
  list: { type: 'string' },
  group: { type: 'string' },
  'holdout-group': { type: 'string' },
  metadata: { type: 'string' },
  probabilities: { type: 'string' },
  ...POST_PROCESSING_SPEC,
  'write-card': { type: 'boolean' },
  backend: { type: 'string' },
  engine: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/** How a probability map and a label image become metrics. */
export interface ScoreOptions {
  readonly task: Task;
  readonly labelsFormat: 'binary' | 'instance';
  readonly membraneValue: number;
  /**
   * How probabilities become objects (nuclei) or cells (membranes); its threshold is also the mask
   * rule of the pixel metrics (membrane where probability >= threshold).
   */
  readonly postProcessing: PostProcessing;
}

/** Metric columns per task, in table order. */
export const METRIC_KEYS: Record<Task, readonly string[]> = {
  nuclei: ['iou', 'dice', 'pixelError', 'ap', 'f1', 'precision', 'recall'],
  membranes: ['pixelError', 'randError', 'maskRandError', 'iou', 'dice'],
};

/**
 * Scores one foreground probability map against its label image. Nuclei: predicted objects come from
 * the post-processing; true instances come from an instance image, or from the 4-connected components
 * of a binary one. Membranes: foreground = membrane (pixel metrics at the threshold); randError is
 * the ISBI Rand error of the post-processing's cells, maskRandError that of the 4-connected pieces of
 * the thresholded non-membrane (the cells before issue 10).
 */
export function scoreProbabilities(
  probabilities: ArrayLike<number>,
  truth: RasterImage,
  options: ScoreOptions,
): Record<string, number> {
  const { width, height } = truth;
  if (probabilities.length !== width * height) {
    throw new RangeError(`prediction has ${probabilities.length} pixels but the labels are ${width}x${height}`);
  }
  const pick = (m: object): Record<string, number> => {
    const rec = m as Record<string, number>;
    return Object.fromEntries(METRIC_KEYS[options.task].map((k) => [k, rec[k]]));
  };
  const objects = objectsFromProbability(probabilities, width, height, options.postProcessing);
  if (options.task === 'membranes') {
    const { labels } = labelsFromRaster(truth, options.labelsFormat, 'membranes', options.membraneValue, 'labels');
    const truthMembrane = labels.map((l) => (l === 2 ? 1 : 0));
    const pred = new Uint8Array(probabilities.length);
    for (let i = 0; i < pred.length; i++) pred[i] = probabilities[i] >= options.postProcessing.threshold ? 1 : 0;
    const mask = membraneMetrics(pred, truthMembrane, width, height);
    const truthCells = connectedComponents(truthMembrane.map((m) => 1 - m), width, height, { connectivity: 4 }).labels;
    return pick({ ...mask, maskRandError: mask.randError, randError: randScores(objects.labels, truthCells).randError });
  }
  let truthIds: Uint32Array;
  if (options.labelsFormat === 'instance') {
    truthIds = labelsFromRaster(truth, 'instance', 'nuclei', 0, 'labels').instances ?? new Uint32Array(width * height);
  } else {
    const { labels } = labelsFromRaster(truth, 'binary', 'nuclei', 0, 'labels');
    truthIds = connectedComponents(labels.map((l) => (l === 2 ? 1 : 0)), width, height, { connectivity: 4 }).labels;
  }
  return pick(nucleiMetrics(objects.labels, truthIds));
}

/** Mean of each metric over images. */
export function meanMetrics(rows: readonly Record<string, number>[], keys: readonly string[]): Record<string, number> {
  return Object.fromEntries(keys.map((k) => [k, rows.reduce((s, r) => s + r[k], 0) / Math.max(1, rows.length)]));
}

function formatTable(names: readonly string[], rows: readonly Record<string, number>[], mean: Record<string, number>, keys: readonly string[]): string {
  const width = Math.min(40, Math.max(5, ...names.map((n) => n.length)));
  const col = (k: string): number => Math.max(10, k.length);
  const head = ['image'.padEnd(width), ...keys.map((k) => k.padStart(col(k)))].join(' ');
  const line = (name: string, r: Record<string, number>): string =>
    [name.slice(0, width).padEnd(width), ...keys.map((k) => r[k].toFixed(4).padStart(col(k)))].join(' ');
  return [head, ...rows.map((r, i) => line(names[i], r)), line('MEAN', mean)].join('\n');
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), SPEC);
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const probabilityDir = optionalString(flags, 'probabilities');
  const modelDir = probabilityDir === undefined ? requiredString(flags, 'model') : optionalString(flags, 'model');
  const imagesDir = requiredString(flags, 'images');
  const labelsDir = requiredString(flags, 'labels');
  const task = choiceFlag<Task>(flags, 'task', ['nuclei', 'membranes']);
  const tta = flags.tta === true;
  const files = filterFiles(listImageFiles(imagesDir, '--images'), imagesDir, fileFilterFromFlags(flags));
  if (probabilityDir !== undefined && flags['write-card']) throw new UsageError('--write-card needs the model to run (not --probabilities)');
  if (probabilityDir !== undefined && tta) throw new UsageError('--tta has no effect on saved probability maps; leave it out');
  let engine: Awaited<ReturnType<typeof createEngine>> | undefined;
  if (probabilityDir === undefined && modelDir !== undefined) {
    await initNodeBackend(choiceFlag(flags, 'backend', ['wasm', 'cpu'] as const, 'wasm'));
    engine = await createEngine(choiceFlag(flags, 'engine', ENGINE_KINDS, DEFAULT_ENGINE), modelDir);
    if (engine.card.task !== 'generic' && engine.card.task !== task) {
      throw new UsageError(`the model is a '${engine.card.task}' model but --task is '${task}'`);
    }
  }
  const options: ScoreOptions = {
    task,
    labelsFormat: choiceFlag(flags, 'labels-format', ['binary', 'instance'] as const, task === 'nuclei' ? 'instance' : 'binary'),
    membraneValue: numberFlag(flags, 'membrane-value', 0, { min: 0 }),
    // The model's own post-processing (its card) unless flags say otherwise, as segment does.
    postProcessing: postProcessingFromFlags(flags, objectKindForTask(task), engine?.card.postProcessing),
  };
  process.stderr.write(`objects: ${describePostProcessing(options.postProcessing)}\n`);

  const names: string[] = [];
  const rows: Record<string, number>[] = [];
  let unscorable = 0;
  for (const file of files) {
    const raster = readRaster(file);
    const truth = readRaster(labelFileFor(file, labelsDir));
    if (truth.width !== raster.width || truth.height !== raster.height) {
      throw new Error(`${stemOf(file)}: labels are ${truth.width}x${truth.height} but the image is ${raster.width}x${raster.height}`);
    }
    const probabilities = engine
      ? (await engine.segment(prepareInput(raster, engine.card.normalization), { foregroundClass: engine.card.foregroundClass, tta })).probabilities
      : readProbabilityMap(probabilityFileFor(stemOf(file), probabilityDir ?? ''), raster.width, raster.height);
    names.push(stemOf(file));
    rows.push(scoreProbabilities(probabilities, truth, options));
    const labelName = path.basename(labelFileFor(file, labelsDir));
    const write = (line: string) => process.stderr.write(line);
    unscorable += warnLabelClasses([{ raster: truth, name: labelName }], options.labelsFormat, task, options.membraneValue, write).length;
  }
  await engine?.dispose();
  const keys = METRIC_KEYS[task];
  const mean = meanMetrics(rows, keys);
  process.stdout.write(`${formatTable(names, rows, mean, keys)}\n`);
  if (unscorable > 0) {
    process.stderr.write(`warning: ${unscorable} of ${rows.length} label files match no class (see above): their scores mean nothing.\n`);
  }
  const report = {
    model: modelDir,
    ...(probabilityDir !== undefined ? { probabilities: probabilityDir } : {}),
    ...options,
    tta,
    images: rows.map((r, i) => ({ name: names[i], ...r })),
    mean,
    count: rows.length,
  };
  const jsonFile = optionalString(flags, 'json');
  if (jsonFile !== undefined) writeFileSync(jsonFile, JSON.stringify(report, null, 2) + '\n');
  if (flags['write-card'] && modelDir !== undefined) {
    const cardFile = path.join(modelDir, MODEL_FILES.card);
    const current = parseModelCard(JSON.parse(readFileSync(cardFile, 'utf8')) as unknown);
    const split = process.argv.slice(2).filter((a, i, all) => ['--ids', '--list', '--group', '--holdout-group'].includes(all[i - 1]) || /^--(ids|list|group|holdout-group)$/.test(a));
    const heldOut = `${rows.length} images of ${imagesDir} (${split.join(' ') || 'all'}), ` +
      `${describePostProcessing(options.postProcessing)}${tta ? ', TTA' : ''}; scored by npm run evaluate`;
    const rounded = Object.fromEntries(Object.entries(mean).map(([k, v]) => [k, Math.round(v * 1e4) / 1e4]));
    writeFileSync(cardFile, JSON.stringify(parseModelCard({ ...current, metrics: rounded, heldOut }), null, 2) + '\n');
    process.stderr.write(`metrics written to ${cardFile}\n`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) runMain(USAGE, main);
