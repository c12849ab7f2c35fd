/**
 * Fine-tuning at the object scale (issue 10): does training each image at the scale it is segmented at
 * (src/model/fineTuneScale.ts) help over training it at scale 1? On the DSB 2018 size group 640x512 (large
 * nuclei, ~46 px; the nuclei card's objectDiameter is 15.2, so the app segments them at 0.5x), simulated
 * square corrections on two images (bench/finetuneCorrections.ts, placed where the starting model at its
 * segmentation scale is wrong), the card's fine-tune recipe, then the other images scored at the scale the
 * starting model's segmentation chose for each (fixed per image, so only the training differs), with the
 * card's post-processing: AP@0.5, IoU, F1 before and after, for both arms. Timing and scores live here,
 * never in tests.
 *
 *   nice npx tsx bench/finetuneScale.ts [--steps 30] [--images 6] [--seed 1[,2…]] [--corrections squares[,scribbles]]
 *     [--log bench/results/finetune-scale.jsonl]
 *
 * The starting model's segmentations are made once; each seed and correction kind then runs both arms.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { numberFlag, optionalString, parseFlags, runMain, UsageError } from '../cli/args';
import type { OptionSpec } from '../cli/args';
import { initNodeBackend } from '../cli/backend';
import { loadModelDir } from '../cli/modelFiles';
import { METRIC_KEYS, meanMetrics, scoreProbabilities } from '../cli/evaluate';
import type { ScoreOptions } from '../cli/evaluate';
import { modelPostProcessing } from '../src/image/postProcessing';
import type { FloatPlane } from '../src/image/types';
import { fineTune, resolveRecipe } from '../src/model/fineTune';
import { sampleAtScale } from '../src/model/fineTuneScale';
import type { FineTuneSample } from '../src/model/fineTuneTypes';
import { atObjectScale } from '../src/image/postProcessing';
import { segmentAtObjectScale, segmentScaled } from '../src/model/objectScale';
import { paintedForegroundClasses } from '../src/model/classWeights';
import { foregroundMapOptions } from '../src/model/io';
import { segmentPlane } from '../src/model/segment';
import type { ModelCard, Segmenter } from '../src/model/types';
import { groupIds, loadImage, shuffled } from './finetuneCases';
import type { BenchImage } from './finetuneCases';
import { correctionsFor } from './finetuneCorrections';
import type { CorrectionKind } from './finetuneCorrections';
import { codeVersion } from './finetuneRun';

const USAGE = 'usage: nice npx tsx bench/finetuneScale.ts [--steps 30] [--images 6] [--seed 1[,2…]] [--corrections squares[,scribbles]] [--data DIR] [--log FILE.jsonl]';

const SPEC: OptionSpec = {
  steps: { type: 'string' },
  images: { type: 'string' },
  seed: { type: 'string' },
  corrections: { type: 'string' },
  data: { type: 'string' },
  log: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

const log = (s: string): void => {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);
};

const MODEL_DIR = path.join('public', 'models', 'nuclei');

/** One image with the scale the starting model's segmentation chose for it. */
interface Scaled {
  readonly image: BenchImage;
  readonly scale: number;
  readonly diameter: number | undefined;
}

function runner(segmenter: Segmenter, card: ModelCard): (plane: FloatPlane | readonly FloatPlane[]) => Promise<Float32Array> {
  return async (plane) => (await segmentPlane(segmenter, plane, foregroundMapOptions(card))).probabilities;
}

/** Mean metrics of `images`, each segmented at its own fixed scale. */
async function scoreAtScales(segmenter: Segmenter, card: ModelCard, images: readonly Scaled[], score: ScoreOptions): Promise<{ mean: Record<string, number>; perImage: Record<string, number>[] }> {
  const perImage: Record<string, number>[] = [];
  for (const { image, scale } of images) {
    const { probabilities } = await segmentScaled(runner(segmenter, card), image.image, scale);
    perImage.push(scoreProbabilities(probabilities, image.truthRaster, { ...score, postProcessing: atObjectScale(score.postProcessing, scale) }));
  }
  return { mean: meanMetrics(perImage, METRIC_KEYS.nuclei), perImage };
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), SPEC);
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const steps = numberFlag(flags, 'steps', 30, { integer: true, min: 1 });
  const count = numberFlag(flags, 'images', 6, { integer: true, min: 1 });
  const seeds = (optionalString(flags, 'seed') ?? '1').split(',').map(Number);
  const kinds = (optionalString(flags, 'corrections') ?? 'squares').split(',');
  if (seeds.some((x) => !Number.isInteger(x) || x < 0)) throw new UsageError('--seed takes non-negative integers separated by commas');
  if (kinds.some((k) => k !== 'squares' && k !== 'scribbles')) throw new UsageError('--corrections takes squares and/or scribbles');
  const dataDir = optionalString(flags, 'data') ?? path.join('..', 'shared', 'data');
  const logFile = optionalString(flags, 'log') ?? path.join('bench', 'results', 'finetune-scale.jsonl');
  const backend = await initNodeBackend('wasm');
  const loadStart = os.loadavg();
  const cpuStart = process.cpuUsage();
  const t0 = performance.now();

  const root = path.join(dataDir, 'dsb2018-nuclei');
  const ids = shuffled(groupIds(path.join(root, 'metadata.csv'), '640x512'), 2026);
  const start = await loadModelDir(MODEL_DIR);
  const { card } = start;
  const post = modelPostProcessing(card);
  const score: ScoreOptions = { task: 'nuclei', labelsFormat: 'instance', membraneValue: 0, postProcessing: post };
  const trainingDiameter = card.objectDiameter;
  if (trainingDiameter === undefined) throw new Error(`${MODEL_DIR} has no objectDiameter`);

  // The starting model's segmentation of every image: its scale (the app's 'auto') and its map.
  const chosen = ids.slice(0, 2 + count);
  const scaled: Scaled[] = [];
  const startMaps: Float32Array[] = [];
  for (const id of chosen) {
    const image = loadImage(path.join(root, 'images'), path.join(root, 'labels_instance'), id, card, false);
    const seg = await segmentAtObjectScale(runner(start.segmenter, card), image.image, { trainingDiameter, diameter: 'auto', postProcessing: post });
    scaled.push({ image, scale: seg.scale, diameter: seg.diameter });
    startMaps.push(seg.probabilities);
    log(`${id.slice(0, 10)}: diameter ${seg.diameter?.toFixed(1)} px, scale ${seg.scale.toFixed(3)}, ${seg.passes} passes`);
  }
  const [corrected, held] = [scaled.slice(0, 2), scaled.slice(2)];
  const before = await scoreAtScales(start.segmenter, card, held, score);
  log(`before: AP ${before.mean.ap.toFixed(4)} IoU ${before.mean.iou.toFixed(4)}`);
  start.segmenter.dispose();

  const recipe = resolveRecipe(card);
  const records: ArmRecord[] = [];
  for (const seed of seeds) {
    for (const kind of kinds as CorrectionKind[]) {
      log(`seed ${seed}, ${kind}`);
      records.push(...(await runArms(corrected, held, startMaps, kind, seed, { card, recipe, steps, score, backend, before })));
    }
  }
  mkdirSync(path.dirname(logFile), { recursive: true });
  for (const r of records) appendFileSync(logFile, JSON.stringify(r) + '\n');
  printTable(records);
  const cpu = process.cpuUsage(cpuStart);
  log(`total ${((performance.now() - t0) / 1000).toFixed(0)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s CPU; load ${loadStart.map((l) => l.toFixed(1)).join(' ')} → ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; records appended to ${logFile}`);
}

/** What every run of the arms shares. */
interface ArmSetting {
  readonly card: ModelCard;
  readonly recipe: ReturnType<typeof resolveRecipe>;
  readonly steps: number;
  readonly score: ScoreOptions;
  readonly backend: string;
  /** The starting model's scores on the held-out images. */
  readonly before: { readonly mean: Record<string, number>; readonly perImage: readonly Record<string, number>[] };
}

/** Fine-tunes a fresh model per arm (scale 1, the segmentation's scale) on one set of corrections and scores both. */
async function runArms(corrected: readonly Scaled[], held: readonly Scaled[], startMaps: readonly Float32Array[], kind: CorrectionKind, seed: number, setting: ArmSetting) {
  const { card, recipe, steps, score, backend, before } = setting;
  const corrections = corrected.map(({ image }, i) => correctionsFor(kind, 'nuclei', image, i, startMaps[i], seed, recipe.fineTune.validationFraction));
  const samples: FineTuneSample[] = corrected.map(({ image }, i) => ({ image: image.image, labels: corrections[i].train, validation: corrections[i].validation, name: image.name }));
  const arms = [
    { arm: 'scale 1', samples },
    { arm: 'segmentation scale', samples: samples.map((s, i) => sampleAtScale(s, corrected[i].scale)) },
  ];
  const records = [];
  for (const { arm, samples: armSamples } of arms) {
    const { segmenter } = await loadModelDir(MODEL_DIR);
    const armT0 = performance.now();
    const armCpu = process.cpuUsage();
    const armLoad = os.loadavg()[0];
    const result = await fineTune(segmenter, armSamples, { recipe, overrides: { steps }, foregroundClasses: paintedForegroundClasses(card), budgetBytes: 512 * 2 ** 20, seed });
    const wallMs = performance.now() - armT0;
    const cpu = process.cpuUsage(armCpu);
    log(`${arm}: ${result.steps} steps, kept ${result.kept} (best step ${result.bestStep}), tile ${result.tileSize}, ${(wallMs / 1000).toFixed(0)} s; ${result.message}`);
    const after = await scoreAtScales(segmenter, card, held, score);
    log(`${arm} after: AP ${after.mean.ap.toFixed(4)} IoU ${after.mean.iou.toFixed(4)}`);
    segmenter.dispose();
    records.push({
      bench: 'finetune-scale',
      arm,
      group: '640x512',
      correctionImages: corrections.map((c, i) => ({ name: c.name, fraction: c.fraction, scale: corrected[i].scale, trainSize: [armSamples[i].image.width, armSamples[i].image.height] })),
      corrections: kind,
      scored: held.map((h) => ({ name: h.image.name, scale: h.scale, diameter: h.diameter })),
      before: before.mean,
      after: after.mean,
      perImage: { before: before.perImage, after: after.perImage },
      validation: { before: result.before, after: result.after },
      steps: result.steps,
      bestStep: result.bestStep,
      kept: result.kept,
      tileSize: result.tileSize,
      msPerStep: result.msPerStep,
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      loadAverage: { start: armLoad, end: os.loadavg()[0] },
      settings: result.settings,
      seed,
      backend,
      commit: codeVersion(),
      date: new Date().toISOString(),
    });
  }
  return records;
}

type ArmRecord = Awaited<ReturnType<typeof runArms>>[number];

function printTable(records: readonly ArmRecord[]): void {
  const f = (x: number): string => x.toFixed(4);
  process.stdout.write('| corrections (seed) | arm | AP@0.5 before → after | IoU before → after | F1 before → after | held-out corrections loss, accuracy before → after | kept (step) | tile | s/step |\n|---|---|---|---|---|---|---|---:|---:|\n');
  for (const r of records) {
    const v = r.validation;
    const val = v.before && v.after ? `${v.before.loss.toFixed(3)} → ${v.after.loss.toFixed(3)}, ${v.before.pixelAccuracy.toFixed(3)} → ${v.after.pixelAccuracy.toFixed(3)}` : 'n/a';
    process.stdout.write(`| ${r.corrections} (${r.seed}) | ${r.arm} | ${f(r.before.ap)} → ${f(r.after.ap)} | ${f(r.before.iou)} → ${f(r.after.iou)} | ${f(r.before.f1)} → ${f(r.after.f1)} | ${val} | ${r.kept} (${r.bestStep}) | ${r.tileSize} | ${(r.msPerStep / 1000).toFixed(1)} |\n`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) runMain(USAGE, main);
