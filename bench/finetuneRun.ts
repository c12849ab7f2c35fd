/**
 * One benchmark run: a fresh copy of the shipped model, corrections on the case's two images, one
 * strategy's fine-tune (timed), then the held-out images and the held-out corrections scored again.
 */
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import type { LabelScore } from '../src/image/labelScore';
import { paintedForegroundClasses } from '../src/model/classWeights';
import { fineTune } from '../src/model/fineTune';
import { trainSegmenter } from '../src/model/train';
import type { ModelCard, Segmenter } from '../src/model/types';
import { loadModelDir } from '../cli/modelFiles';
import type { CaseData } from './finetuneCases';
import { correctionsFor } from './finetuneCorrections';
import type { CorrectionKind, ImageCorrections } from './finetuneCorrections';
import { predict, scoreHeldOut, scorePooled, summarise } from './finetuneEval';
import type { ImageScore, StartingPoint } from './finetuneEval';
import { recipeOf, settingsOf } from './finetuneStrategies';
import type { Strategy } from './finetuneStrategies';

/** What a tuner reports about its fine-tune. */
export interface TuneOutcome {
  readonly steps: number;
  /** Step whose weights were kept (legacy: the last one). */
  readonly bestStep: number;
  readonly kept: 'tuned' | 'start';
  readonly stoppedEarly: boolean;
  readonly message: string;
  readonly msPerStep: number;
  readonly tileSize: number;
  readonly outputTileSize: number;
  /** The trainer's own validation scores (null for legacy, which has none). */
  readonly reported: { readonly before: LabelScore | null; readonly after: LabelScore | null } | null;
  /** Validation curve (step, loss, accuracy, IoU) when the trainer validates. */
  readonly curve: readonly { step: number; loss: number; pixelAccuracy: number; foregroundIou: number }[];
  /** Settings actually used. */
  readonly settings: Record<string, unknown>;
}

/** A fine-tune of `segmenter` in place on the corrections. */
export type Tuner = (
  segmenter: Segmenter,
  card: ModelCard,
  data: CaseData,
  corrections: readonly ImageCorrections[],
  strategy: Strategy,
  seed: number,
) => Promise<TuneOutcome>;

/** The app before issue 8: trainSegmenter with its defaults (paper loss, 252 px tiles), last weights kept. */
export const legacyTuner: Tuner = async (segmenter, card, data, corrections, strategy, seed) => {
  const samples = data.corrections.map((img, i) => ({ image: img.image, labels: corrections[i].train, name: img.name }));
  const settings = settingsOf(strategy, card);
  const options = {
    steps: settings.steps,
    optimizer: settings.optimizer,
    learningRate: settings.learningRate,
    seed,
    objectClass: card.task === 'membranes' ? (1 as const) : (2 as const),
  };
  const result = await trainSegmenter(segmenter, samples, options);
  return {
    steps: result.steps,
    bestStep: result.steps,
    kept: 'tuned',
    stoppedEarly: false,
    message: 'legacy trainer: the last weights are kept',
    msPerStep: result.msPerStep,
    tileSize: result.tileSize,
    outputTileSize: result.outputTileSize,
    reported: null,
    curve: [],
    settings: { ...options, loss: 'trainSegmenter defaults (w0 10, sigma 5, balanced)', augment: 'defaults' },
  };
};

/**
 * fineTune() with the card's recipe and the strategy's settings (all of them, or the card's own
 * `recipe.fineTune` for the `card` strategy), at the memory budget the app uses for its backend.
 */
export function fineTuneTuner(budgetBytes: number): Tuner {
  return async (segmenter, card, data, corrections, strategy, seed) => {
    const samples = data.corrections.map((img, i) => ({
      image: img.image,
      labels: corrections[i].train,
      validation: corrections[i].validation,
      name: img.name,
    }));
    const curve: { step: number; loss: number; pixelAccuracy: number; foregroundIou: number }[] = [];
    const recipe = recipeOf(strategy, card);
    const result = await fineTune(segmenter, samples, {
      recipe,
      overrides: settingsOf(strategy, card),
      foregroundClasses: paintedForegroundClasses(card),
      budgetBytes,
      seed,
      onValidation: (p) => curve.push({ step: p.step, loss: p.loss, pixelAccuracy: p.pixelAccuracy, foregroundIou: p.foregroundIou }),
    });
    return {
      steps: result.steps,
      bestStep: result.bestStep,
      kept: result.kept,
      stoppedEarly: result.stoppedEarly,
      message: result.message,
      msPerStep: result.msPerStep,
      tileSize: result.tileSize,
      outputTileSize: result.outputTileSize,
      reported: { before: result.before, after: result.after },
      curve,
      settings: { ...result.settings, budgetBytes, loss: recipe.loss },
    };
  };
}

/** Everything recorded about one run (one line of the JSONL log). */
export interface RunRecord {
  readonly case: string;
  /** The starting model's card name and how objects were scored (plain pieces, or the card's post-processing). */
  readonly model?: string;
  readonly objects?: 'plain' | 'card';
  /** The threshold whose mask's errors the simulated corrections follow (that of the scored objects). */
  readonly correctionThreshold?: number;
  readonly fold: string;
  readonly corrections: CorrectionKind;
  readonly strategy: string;
  readonly seed: number;
  readonly images: readonly { name: string; fraction: number; regions: number; heldOutRegions: number; trainPixels: number; validationPixels: number }[];
  /** Mean held-out metrics per group, before (starting model) and after. */
  readonly heldOut: { readonly before: Record<string, Record<string, number>>; readonly after: Record<string, Record<string, number>> };
  readonly perImageAfter: readonly ImageScore[];
  /** Held-out corrections scored from whole-image predictions (independent of the trainer's own numbers). */
  readonly validation: { readonly before: LabelScore; readonly after: LabelScore };
  readonly tune: TuneOutcome;
  /** Wall time of the fine-tune call alone (set-up, smoke test, steps, its validations). */
  readonly wallMs: number;
  /**
   * CPU time of this process during the fine-tune. Node's WASM backend runs on one thread, so on a shared
   * machine this is close to the wall time the fine-tune would take with a core to itself.
   */
  readonly cpuMs: number;
  readonly backend: string;
  /** Commit of the code that ran (with '+dirty' when the work tree had changes). */
  readonly commit: string;
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly cpus: number;
  readonly date: string;
}

/** The commit the benchmark runs from, so records of different code are told apart. */
export function codeVersion(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}

const count = (a: Uint8Array): number => a.reduce((s, v) => s + (v !== 0 ? 1 : 0), 0);

/** Runs one strategy on one case and correction kind. */
export async function runOne(
  data: CaseData,
  start: StartingPoint,
  kind: CorrectionKind,
  strategy: Strategy,
  seed: number,
  tuner: Tuner,
  backend: string,
  log: (s: string) => void,
): Promise<RunRecord> {
  const { segmenter, card } = await loadModelDir(data.modelDir);
  try {
    const { validationFraction } = settingsOf(strategy, card);
    const correctionThreshold = data.score.postProcessing.threshold;
    const corrections = data.corrections.map((img, i) =>
      correctionsFor(kind, data.name, img, i, start.correctionProbabilities[i], seed, validationFraction, correctionThreshold),
    );
    const validationBefore = scorePooled(start.correctionProbabilities, corrections.map((c) => c.validation));
    const loadStart = os.loadavg()[0];
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const tune = await tuner(segmenter, card, data, corrections, strategy, seed);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const loadEnd = os.loadavg()[0];
    log(`  ${tune.steps} steps in ${(wallMs / 1000).toFixed(1)} s (tile ${tune.tileSize}); ${tune.message}`);
    const after: Float32Array[] = [];
    for (const img of data.corrections) after.push(await predict(segmenter, card, img));
    const perImageAfter = await scoreHeldOut(segmenter, card, data, log);
    return {
      case: data.name,
      model: card.name,
      correctionThreshold,
      fold: data.fold,
      corrections: kind,
      strategy: strategy.name,
      seed,
      images: corrections.map((c) => ({
        name: c.name,
        fraction: c.fraction,
        regions: c.regions,
        heldOutRegions: c.heldOutRegions,
        trainPixels: count(c.train),
        validationPixels: count(c.validation),
      })),
      heldOut: { before: summarise(start.scores, data), after: summarise(perImageAfter, data) },
      perImageAfter,
      validation: { before: validationBefore, after: scorePooled(after, corrections.map((c) => c.validation)) },
      tune,
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      backend,
      commit: codeVersion(),
      loadAverage: { start: loadStart, end: loadEnd },
      cpus: os.cpus().length,
      date: new Date().toISOString(),
    };
  } finally {
    segmenter.dispose();
  }
}
