/**
 * npm run evaluate -- --model MODEL --images DIR --labels DIR --task nuclei|membranes
 *                     [--labels-format binary|instance] [--membrane-value V] [--tta] [--json FILE]
 *                     [--probabilities DIR] [post-processing flags]
 * Segments every image with the model (overlap-tile, same code as the app) and scores it against its
 * label file: foreground IoU, Dice, pixel error; nuclei also AP@0.5 and F1 of one-to-one matched
 * objects; membranes the ISBI Rand error of the cells (the post-processing's objects) and, for
 * comparison, of the 4-connected pieces of the thresholded non-membrane (maskRandError). Objects come
 * from the same post-processing as segment and the app (cli/postProcessingFlags.ts). With
 * --probabilities the maps saved by segment --prob-float are scored instead of running the model (with the
 * post-processing of --model's card when it is given).
 * Prints a table; --json writes {mean, images}; --write-card stores the means in the model's card.
 * --workers N segments N images at a time in worker threads (cli/enginePool.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { METRIC_KEYS, scoreProbabilities, type ScoreOptions } from '../src/image/evaluation';
import { atObjectScale } from '../src/image/postProcessing';
import { prepareInput } from '../src/image/normalize';
import { foregroundMapOptions, MODEL_FILES, parseModelCard } from '../src/model/io';
import type { ModelCard } from '../src/model/types';
import { choiceFlag, numberFlag, optionalString, parseFlags, requiredString, runMain, UsageError } from './args';
import type { OptionSpec } from './args';
import { warnLabelClasses } from './labelClasses';
import { fileFilterFromFlags, filterFiles, labelFileFor, listImageFiles, readRaster, stemOf } from './dataset';
import type { Task } from './dataset';
import { describePostProcessing, objectKindForTask, POST_PROCESSING_SPEC, POST_PROCESSING_USAGE, postProcessingFromFlags } from './postProcessingFlags';
import { probabilityFileFor, readMapScale, readProbabilityMap } from './probabilityFiles';
import { DIAMETER_SPEC, DIAMETER_USAGE, MODEL_PIXELS, describeScale, diameterFromFlags, fuseMaxScaleFromFlags, segmentWithDiameter } from './diameterFlag';
import { DEFAULT_ENGINE, ENGINE_KINDS } from './engine';
import { DEFAULT_WORKERS, createEnginePool, forEachConcurrent } from './enginePool';

const USAGE = `usage: npm run evaluate -- --model MODEL_DIR --images DIR --labels DIR --task nuclei|membranes
         [--labels-format binary|instance] [--membrane-value V] [--tta] [--json FILE]
         [--ids 20-24 | --list FILE | --group G | --holdout-group G] [--metadata CSV]
         [--probabilities DIR (NAME_prob.tif from segment --prob-float; then --model is optional)]
         [--write-card] [--backend wasm|cpu] [--engine onnx|tfjs] [--workers N]
${DIAMETER_USAGE}
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
  ...DIAMETER_SPEC,
  'write-card': { type: 'boolean' },
  backend: { type: 'string' },
  engine: { type: 'string' },
  workers: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

export { METRIC_KEYS, scoreProbabilities, type ScoreOptions } from '../src/image/evaluation';

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

function readCardOf(modelDir: string): ModelCard {
  const file = path.join(modelDir, MODEL_FILES.card);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`--model ${modelDir}: there is no ${MODEL_FILES.card} to take the post-processing from`);
  }
  return parseModelCard(JSON.parse(text) as unknown);
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
  let engine: Awaited<ReturnType<typeof createEnginePool>> | undefined;
  if (probabilityDir === undefined && modelDir !== undefined) {
    engine = await createEnginePool(choiceFlag(flags, 'engine', ENGINE_KINDS, DEFAULT_ENGINE), modelDir, {
      workers: numberFlag(flags, 'workers', DEFAULT_WORKERS, { min: 1, max: 64, integer: true }),
      backend: choiceFlag(flags, 'backend', ['wasm', 'cpu'] as const, 'wasm'),
    });
  }
  // Saved maps scored with --model get that model's post-processing, as if it had run.
  const card = engine?.card ?? (modelDir !== undefined ? readCardOf(modelDir) : undefined);
  if (card !== undefined && card.task !== 'generic' && card.task !== task) {
    throw new UsageError(`the model is a '${card.task}' model but --task is '${task}'`);
  }
  const options: ScoreOptions = {
    task,
    labelsFormat: choiceFlag(flags, 'labels-format', ['binary', 'instance'] as const, task === 'nuclei' ? 'instance' : 'binary'),
    membraneValue: numberFlag(flags, 'membrane-value', 0, { min: 0 }),
    // The model's own post-processing (its card) unless flags say otherwise, as segment does.
    postProcessing: postProcessingFromFlags(flags, objectKindForTask(task), card?.postProcessing),
  };
  if (probabilityDir !== undefined && flags.diameter !== undefined) throw new UsageError('--diameter needs the model to run (not --probabilities)');
  const diameter = diameterFromFlags(flags, card);
  process.stderr.write(`objects: ${describePostProcessing(options.postProcessing)}${engine && diameter === 'off' ? '' : MODEL_PIXELS}\n`);
  const fuseMaxScale = fuseMaxScaleFromFlags(flags);
  if (probabilityDir !== undefined && fuseMaxScale !== undefined) throw new UsageError('--no-fuse needs the model to run (not --probabilities)');

  const names = files.map((f) => stemOf(f));
  let unscorable = 0;
  const rows = await forEachConcurrent(files, engine?.workers ?? 1, async (file) => {
    const raster = readRaster(file);
    const truth = readRaster(labelFileFor(file, labelsDir));
    if (truth.width !== raster.width || truth.height !== raster.height) {
      throw new Error(`${stemOf(file)}: labels are ${truth.width}x${truth.height} but the image is ${raster.width}x${raster.height}`);
    }
    let probabilities: Float32Array;
    let scale: Record<string, number> = {};
    let objectScale = 1;
    if (engine) {
      const scaled = await segmentWithDiameter(engine, prepareInput(raster, engine.card.normalization), diameter, options.postProcessing, { ...foregroundMapOptions(engine.card), tta }, fuseMaxScale);
      probabilities = scaled.probabilities;
      objectScale = scaled.scale;
      if (scaled.source !== 'off') {
        process.stderr.write(`${stemOf(file)}: ${describeScale(scaled)}\n`);
        scale = { scale: scaled.scale, ...(scaled.fusedScale !== undefined ? { fusedScale: scaled.fusedScale } : {}), ...(scaled.diameter !== undefined ? { diameter: scaled.diameter } : {}) };
      }
    } else {
      probabilities = readProbabilityMap(probabilityFileFor(stemOf(file), probabilityDir ?? ''), raster.width, raster.height);
      objectScale = readMapScale(stemOf(file), probabilityDir ?? '');
    }
    const labelName = path.basename(labelFileFor(file, labelsDir));
    unscorable += warnLabelClasses([{ raster: truth, name: labelName }], options.labelsFormat, task, options.membraneValue, (line) => process.stderr.write(line)).length;
    // Pixel settings are in the model's pixels (atObjectScale): the objects of this image's scale.
    const scored = scoreProbabilities(probabilities, truth, { ...options, postProcessing: atObjectScale(options.postProcessing, objectScale) });
    return { ...scored, ...scale };
  });
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
    diameter,
    ...(fuseMaxScale !== undefined ? { fuse: false } : {}),
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
