/**
 * npm run train -- --images DIR --labels DIR --labels-format binary|instance|partial --task nuclei|membranes
 *                  --out DIR [options]
 * Trains (or continues with --init) a U-Net in Node with the same code the app's worker uses, and writes
 * model.json + weights + model-card.json to --out. With --init MODEL the loss and augmentation come from
 * the model card's recipe unless flags override them; --init with --labels-format partial is a fine-tune
 * exactly as the app runs it (fineTune: recipe defaults, region split, keep-best validation). Ctrl-C
 * stops after the current step and saves.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultNormalization, prepareInput } from '../src/image/normalize';
import { medianObjectDiameter } from '../src/image/objectDiameter';
import { paintedForegroundClasses } from '../src/model/classWeights';
import { createModelCard } from '../src/model/io';
import { budgetFromLimits } from '../src/model/memoryBudget';
import type { TrainingRecipe } from '../src/model/recipe';
import { fineTuneSettings, resolveRecipe } from '../src/model/recipeDefaults';
import { learningRateAt, trainSegmenter } from '../src/model/train';
import type { TrainingSample, TrainOptions } from '../src/model/train';
import type { ModelCard, Segmenter, UnetConfig } from '../src/model/types';
import { createUnet } from '../src/model/unet';
import { nearestLegalInputSize } from '../src/model/validSize';
import { choiceFlag, numberFlag, optionalString, parseFlags, requiredString, runMain, UsageError } from './args';
import type { OptionSpec } from './args';
import { initNodeBackend } from './backend';
import { warnLabelClasses } from './labelClasses';
import { fileFilterFromFlags, filterFiles, knownDataset, labelFileFor, labelsFromRaster, listImageFiles, readRaster, stemOf } from './dataset';
import type { LabelFormat, Task } from './dataset';
import { objectIds, trainingDiameter } from './labelDiameter';
import { loadModelDir, saveModelDir } from './modelFiles';
import { runFineTune } from './trainFineTune';
import { loadCheckpoint, readResumable, withoutFlag } from './trainResume';
import { removeTrainState, writeTrainState } from './trainState';
import { augmentFromFlags, fineTuneOverrides, lossFromFlags, RECIPE_FLAGS, recipeOfDenseRun, refuseFineTuneFlags } from './trainRecipe';
import type { PostProcessing } from '../src/image/postProcessing';

const USAGE = `usage: npm run train -- --images DIR --labels DIR --labels-format binary|instance|partial
         --task nuclei|membranes --out DIR [options]
data:      --membrane-value V (binary membranes: value that marks membrane, default 0)
           --seam 1|2 (instance labels: px of background between touching objects, default 1)
           --boundary-class (instance labels, nuclei: a 3-class model, background / interior / boundary)
           --ids 0-19 | --list FILE | --group G | --holdout-group G [--metadata CSV]
model:     --init MODEL_DIR (continue from a model) | --depth 3 --base-filters 16 --dropout 0.1 --padding valid|same
           --name NAME --weights float32|float16 (how the finished model's weights are stored; float16: half
           the bytes, checkpoints stay float32 so that --resume continues exactly)
training:  --steps 2000 --seed 1 --optimizer adam|sgd --lr X --momentum 0.99
           --schedule constant|cosine|step --warmup N --tile N --batch 1
           --checkpoint-every N --log-every 25 --backend wasm|cpu
           --stop-after N (end after step N of the --steps schedule, as if stopped there)
resume:    --resume DIR [--stop-after N]: continue a run stopped at a checkpoint, by --stop-after or Ctrl-C,
           with its own flags, exactly as if it had not stopped (DIR: its --out)
loss:      --w0 10 --sigma 5 --balance | --no-balance --no-augment --elastic-sigma 10 --zoom 2 --blur 2 --noise 0.1
           (with --init: the model card's recipe, unless given)
fine-tune: --init MODEL_DIR --labels-format partial: the card's fine-tune defaults, unless given:
           --steps N --lr X --optimizer adam|sgd --schedule S --distill X --encoder-lr-scale X --distill-margin PX
           --val-fraction X (0 = train on all labels, keep the final weights) --validate-every N
           --patience N (0 = no early stop) --tile N (largest tile) --memory-mib N (tile budget)`;

/** Flags of the train CLI (exported for the test that replays the shipped models' training commands). */
export const SPEC: OptionSpec = {
  images: { type: 'string' },
  labels: { type: 'string' },
  'labels-format': { type: 'string' },
  'membrane-value': { type: 'string' },
  seam: { type: 'string' },
  task: { type: 'string' },
  out: { type: 'string' },
  init: { type: 'string' },
  steps: { type: 'string' },
  seed: { type: 'string' },
  ids: { type: 'string' },
  list: { type: 'string' },
  group: { type: 'string' },
  'holdout-group': { type: 'string' },
  metadata: { type: 'string' },
  depth: { type: 'string' },
  'base-filters': { type: 'string' },
  dropout: { type: 'string' },
  padding: { type: 'string' },
  name: { type: 'string' },
  optimizer: { type: 'string' },
  lr: { type: 'string' },
  momentum: { type: 'string' },
  schedule: { type: 'string' },
  warmup: { type: 'string' },
  tile: { type: 'string' },
  batch: { type: 'string' },
  ...RECIPE_FLAGS,
  'memory-mib': { type: 'string' },
  'boundary-class': { type: 'boolean' },
  'checkpoint-every': { type: 'string' },
  'stop-after': { type: 'string' },
  resume: { type: 'string' },
  'log-every': { type: 'string' },
  backend: { type: 'string' },
  weights: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/**
 * A boundary-class model's map: interior 1, boundary 0.5, background 0, so the objects are the usual
 * ones (threshold, distance watershed) with touching nuclei already apart at their boundary.
 */
const BOUNDARY_CLASS_WEIGHTS = [0, 1, 0.5] as const;

/**
 * Its objects: the shipped nuclei card's settings (σ 1, h 1, min size 15 model pixels) at threshold 0.3,
 * chosen on trained-on DSB groups over 0.2-0.4 (README, "A boundary class").
 */
const BOUNDARY_CLASS_OBJECTS: PostProcessing = {
  objects: 'foreground',
  threshold: 0.3,
  smoothing: 1,
  fillHoles: true,
  maxHoleSize: 0,
  split: 'watershed',
  h: 1,
  minSize: 15,
  connectivity: 4,
};

/** A command line as a copy-pasteable string for the model card. */
function commandLine(argv: readonly string[]): string {
  const quote = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return `npm run train -- ${argv.map(quote).join(' ')}`;
}

async function main(): Promise<void> {
  const given = process.argv.slice(2);
  const asGiven = parseFlags(given, SPEC);
  if (asGiven.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const resumeDir = optionalString(asGiven, 'resume');
  const saved = resumeDir === undefined ? undefined : await readResumable(resumeDir, asGiven);
  // A resumed run re-reads its own flags; --stop-after may be given anew.
  const stopAfterGiven = optionalString(asGiven, 'stop-after');
  const argv = saved === undefined ? given : [...saved.argv, ...(stopAfterGiven === undefined ? [] : ['--stop-after', stopAfterGiven])];
  const flags = saved === undefined ? asGiven : parseFlags(argv, SPEC);
  const imagesDir = requiredString(flags, 'images');
  const labelsDir = requiredString(flags, 'labels');
  const format = choiceFlag<LabelFormat>(flags, 'labels-format', ['binary', 'instance', 'partial']);
  const task = choiceFlag<Task>(flags, 'task', ['nuclei', 'membranes']);
  const outDir = resumeDir ?? requiredString(flags, 'out');
  const membraneValue = numberFlag(flags, 'membrane-value', 0, { min: 0 });
  const seed = numberFlag(flags, 'seed', 1, { integer: true, min: 0 });
  const weightStorage = choiceFlag(flags, 'weights', ['float32', 'float16'] as const, 'float32');
  const steps = numberFlag(flags, 'steps', 2000, { integer: true, min: 0 });
  const backend = choiceFlag(flags, 'backend', ['wasm', 'cpu'] as const, 'wasm');
  const logEvery = numberFlag(flags, 'log-every', 25, { integer: true, min: 1 });
  const seam = numberFlag(flags, 'seam', 1, { integer: true, min: 1, max: 2 }) as 1 | 2;
  const boundaryClass = flags['boundary-class'] === true;
  if (boundaryClass && (format !== 'instance' || task !== 'nuclei')) {
    throw new UsageError('--boundary-class needs --labels-format instance --task nuclei: the boundary is drawn from the instances');
  }
  const files = filterFiles(listImageFiles(imagesDir, '--images'), imagesDir, fileFilterFromFlags(flags));

  await initNodeBackend(backend);
  const initDir = optionalString(flags, 'init');
  let segmenter: Segmenter;
  let initCard: ModelCard | undefined;
  if (saved !== undefined && resumeDir !== undefined) {
    ({ segmenter, initCard } = await loadCheckpoint(resumeDir, saved));
  } else if (initDir !== undefined) {
    const loaded = await loadModelDir(initDir);
    segmenter = loaded.segmenter;
    initCard = loaded.card;
  } else {
    const config: UnetConfig = {
      depth: numberFlag(flags, 'depth', 3, { integer: true, min: 1, max: 6 }),
      baseFilters: numberFlag(flags, 'base-filters', 16, { integer: true, min: 1 }),
      inChannels: 1,
      classes: boundaryClass ? 3 : 2,
      dropout: numberFlag(flags, 'dropout', 0.1, { min: 0, max: 0.95 }),
      padding: choiceFlag(flags, 'padding', ['valid', 'same'] as const, 'valid'),
      seed,
    };
    segmenter = createUnet(config);
  }
  const normalization = initCard?.normalization ?? defaultNormalization;
  // Settings are checked before the images load, so a bad flag costs nothing.
  const baseRecipe: TrainingRecipe | undefined = initCard === undefined ? undefined : resolveRecipe(initCard);
  const fineTuning = baseRecipe !== undefined && format === 'partial';
  const overrides = fineTuning ? fineTuneOverrides(flags) : {};
  if (baseRecipe !== undefined && fineTuning) fineTuneSettings(baseRecipe, overrides);
  if (!fineTuning) refuseFineTuneFlags(flags);
  const loss = lossFromFlags(flags, task, baseRecipe?.loss);
  const augment = augmentFromFlags(flags, baseRecipe?.augment);

  process.stderr.write(`loading ${files.length} images from ${imagesDir}\n`);
  const diameters: number[] = [];
  const samples: TrainingSample[] = files.map((file) => {
    const raster = readRaster(file);
    const labelFile = labelFileFor(file, labelsDir);
    const labelRaster = readRaster(labelFile);
    if (labelRaster.width !== raster.width || labelRaster.height !== raster.height) {
      throw new Error(`${path.basename(labelFile)} is ${labelRaster.width}x${labelRaster.height} but its image is ${raster.width}x${raster.height}`);
    }
    warnLabelClasses([{ raster: labelRaster, name: path.basename(labelFile) }], format, task, membraneValue, (line) => process.stderr.write(line));
    const { labels, instances } = labelsFromRaster(labelRaster, format, task, membraneValue, path.basename(labelFile), seam);
    if (format !== 'partial') {
      const d = medianObjectDiameter(objectIds(labelRaster, format, membraneValue), labelRaster.width, labelRaster.height);
      if (d !== undefined) diameters.push(d);
    }
    return { image: prepareInput(raster, normalization), labels, instances, name: stemOf(file) };
  });
  const imageNames = files.map(stemOf);
  if (saved !== undefined && imageNames.join('\n') !== saved.images.join('\n')) {
    throw new Error(`cannot resume from ${outDir}: the training images changed (${saved.images.length} then, ${imageNames.length} now)`);
  }
  // The card records the object scale of the data it was trained on (as `npm run diameter --write-card`
  // did by hand), so rescaling new images works for every trained model; painted partial labels hold too
  // few whole objects to measure, so a fine-tune keeps the scale of the model it started from.
  const objectDiameter = diameters.length > 0 ? trainingDiameter(diameters) : initCard?.objectDiameter;
  if (diameters.length > 0) process.stderr.write(`training labels: object diameter ${objectDiameter} px (median of ${diameters.length} images)\n`);

  const dataset = knownDataset(imagesDir);
  const baseSteps = initCard?.trainedSteps ?? 0;
  const cardFor = (done: number, recipe: TrainingRecipe): ModelCard =>
    createModelCard(segmenter, {
      name: optionalString(flags, 'name') ?? initCard?.name ?? path.basename(path.resolve(outDir)),
      task,
      description:
        initCard?.description ??
        (task === 'nuclei'
          ? boundaryClass
            ? 'U-Net for fluorescence nuclei with a boundary class (background, interior, boundary).'
            : 'U-Net for fluorescence nuclei; instances by connected components of the foreground.'
          : 'U-Net for EM cell membranes; foreground = membrane.'),
      normalization,
      foregroundClass: initCard?.foregroundClass ?? 1,
      // A fine-tuned (or continued) boundary-class model stays one: its foreground map is still interior
      // + boundary / 2, whichever flags this run had.
      ...(boundaryClass ? { classWeights: BOUNDARY_CLASS_WEIGHTS } : initCard?.classWeights !== undefined ? { classWeights: initCard.classWeights } : {}),
      trainedSteps: baseSteps + done,
      recipe,
      // What the model does with new images carries over from the model it continues.
      ...(initCard?.postProcessing !== undefined
        ? { postProcessing: initCard.postProcessing }
        : boundaryClass
          ? { postProcessing: BOUNDARY_CLASS_OBJECTS }
          : {}),
      ...(objectDiameter !== undefined ? { objectDiameter } : {}),
      // A new model gets the measured default of its kind (README, "Object scale"): nuclei rescale new
      // images to the training diameter, EM membranes do not; a continued model keeps its starting choice.
      ...(initCard?.rescale !== undefined
        ? { rescale: initCard.rescale }
        : objectDiameter !== undefined && initCard === undefined
          ? { rescale: task === 'nuclei' ? ('auto' as const) : ('off' as const) }
          : {}),
      training: {
        // A fine-tuned model is reproduced by the chain of commands that made it.
        command: initCard?.training ? `${initCard.training.command} && ${commandLine(argv)}` : commandLine(argv),
        seed,
        data: `${dataset?.data ?? imagesDir} (${files.length} images)`,
        licence: dataset?.licence ?? 'see the data set',
        citation: dataset?.citation ?? 'see the data set',
      },
    });

  const controller = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\nstopping after this step (Ctrl-C again to quit without saving)\n');
    controller.abort();
    process.once('SIGINT', () => process.exit(130));
  });

  if (baseRecipe !== undefined && fineTuning) {
    // Fine-tune: the app's fineTune with the card's recipe (loss flags change it for this run); the
    // card keeps the recipe the model was trained with.
    const recipe: TrainingRecipe = { ...baseRecipe, loss, augment };
    const memoryMiB = numberFlag(flags, 'memory-mib', undefined, { min: 16 });
    const result = await runFineTune({
      segmenter,
      recipe,
      overrides,
      foregroundClasses: paintedForegroundClasses(initCard ?? { foregroundClass: 1 }),
      images: samples.map((s) => ({ image: s.image, labels: s.labels, name: s.name ?? '' })),
      seed,
      budgetBytes: memoryMiB !== undefined ? memoryMiB * 2 ** 20 : budgetFromLimits({ backend }).budgetBytes,
      maxTileSize: numberFlag(flags, 'tile', undefined, { integer: true, min: 1 }),
      logEvery,
      signal: controller.signal,
      log: (line) => process.stderr.write(line),
    });
    await saveModelDir(outDir, segmenter, cardFor(result.kept === 'tuned' ? result.bestStep : 0, baseRecipe), weightStorage);
    const { steps: done, aborted, stoppedEarly, kept, bestStep, before, after, tileSize, outputTileSize } = result;
    process.stdout.write(
      `${JSON.stringify({ out: outDir, mode: 'fine-tune', steps: done, aborted, stoppedEarly, kept, bestStep, before, after, msPerStep: Math.round(result.msPerStep), tile: tileSize, outputTile: outputTileSize, settings: result.settings, backend })}\n`,
    );
    segmenter.dispose();
    return;
  }

  const optimizer = choiceFlag(flags, 'optimizer', ['adam', 'sgd'] as const, 'adam');
  const options: TrainOptions = {
    steps,
    seed,
    optimizer,
    learningRate: numberFlag(flags, 'lr', undefined, { min: 0 }),
    momentum: numberFlag(flags, 'momentum', undefined, { min: 0, max: 0.9999 }),
    schedule: choiceFlag(flags, 'schedule', ['constant', 'cosine', 'step'] as const, 'cosine'),
    warmupSteps: numberFlag(flags, 'warmup', 0, { integer: true, min: 0 }),
    tileSize: numberFlag(flags, 'tile', undefined, { integer: true, min: 1 }),
    batchSize: numberFlag(flags, 'batch', 1, { integer: true, min: 1 }),
  };
  const lossOptions = { objectClass: loss.objectClass, weights: { w0: loss.w0, sigma: loss.sigma, balanceClasses: loss.balanceClasses }, augment };
  // trainSegmenter's default tile, so that checkpoints record the tile actually used.
  let usedTile = options.tileSize ?? nearestLegalInputSize(segmenter.config, 252, 'up');
  const recipeNow = (): TrainingRecipe =>
    recipeOfDenseRun(
      {
        loss,
        augment,
        tileSize: usedTile,
        batchSize: options.batchSize ?? 1,
        optimizer,
        learningRate: learningRateAt({ ...options, schedule: 'constant', warmupSteps: 0 }, 0),
        schedule: options.schedule ?? 'cosine',
      },
      task,
      baseRecipe,
    );

  // A run cut short at a checkpoint is reproduced by the same schedule stopped at the same step.
  const stopAfter = numberFlag(flags, 'stop-after', undefined, { integer: true, min: 1 });
  const first = saved?.state.step ?? 0;
  if (stopAfter !== undefined && stopAfter <= first) throw new UsageError(`--stop-after ${stopAfter}: the run already stopped after step ${first}`);
  // What --resume re-reads: the flags without the one that only says where this invocation stops.
  const run = { argv: withoutFlag(argv, 'stop-after'), initCard: initCard ?? null, images: imageNames };
  const started = Date.now();
  const result = await trainSegmenter(segmenter, samples, {
    ...options,
    ...lossOptions,
    boundaryClass,
    signal: controller.signal,
    resume: saved?.state,
    returnState: true,
    checkpointEvery: numberFlag(flags, 'checkpoint-every', undefined, { integer: true, min: 1 }),
    onCheckpoint: async (p, take) => {
      await saveModelDir(outDir, segmenter, cardFor(p.step, recipeNow()));
      await writeTrainState(outDir, { ...run, state: await take() });
      process.stderr.write(`checkpoint at step ${p.step} -> ${outDir}\n`);
    },
    onProgress: (p) => {
      if (stopAfter !== undefined && p.step >= stopAfter) controller.abort();
      if (p.step % logEvery !== 0 && p.step !== p.steps && p.step !== 1) return;
      const elapsed = (Date.now() - started) / 1000;
      const eta = (elapsed / (p.step - first)) * (p.steps - p.step);
      // Three significant digits: a well-fitted tile's loss is ~1e-5, which a fixed 4 decimals shows as 0.0000.
      process.stderr.write(
        `step ${p.step}/${p.steps} loss ${p.loss.toPrecision(3)} avg ${p.smoothedLoss.toPrecision(3)} labelled ${p.labelledPixels} px ` +
          `lr ${p.learningRate.toExponential(2)} ${p.msPerStep} ms/step eta ${Math.round(eta)} s\n`,
      );
    },
  });
  usedTile = result.tileSize;
  // A run that stops early may be resumed, from exact float32 weights.
  await saveModelDir(outDir, segmenter, cardFor(result.steps, recipeNow()), result.steps >= steps ? weightStorage : 'float32');
  if (result.steps >= steps) await removeTrainState(outDir);
  else if (result.state !== undefined) await writeTrainState(outDir, { ...run, state: result.state });
  process.stdout.write(
    `${JSON.stringify({ out: outDir, mode: 'train', steps: result.steps, aborted: result.aborted, finalLoss: result.smoothedLoss, msPerStep: Math.round(result.msPerStep), tile: result.tileSize, outputTile: result.outputTileSize, backend })}\n`,
  );
  segmenter.dispose();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) runMain(USAGE, main);
