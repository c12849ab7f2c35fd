/**
 * Tables and the committed summary of bench/finetune.ts, built from the runs' JSONL records.
 * The headline error is the one of the issue's goal: pixel error for EM, 1 - AP@0.5 for nuclei.
 */
import type { RunRecord } from './finetuneRun';
import { STRATEGIES } from './finetuneStrategies';

/** The goal's error of a metrics row: EM pixel error, nuclei 1 - AP@0.5. */
export function headlineError(caseName: string, metrics: Record<string, number>): number {
  return caseName.startsWith('em') ? metrics.pixelError : 1 - metrics.ap;
}

/** The second metric of a case: EM Rand error (must not get worse), nuclei foreground IoU. */
export function secondMetric(caseName: string): { key: string; label: string } {
  return caseName.startsWith('em') ? { key: 'randError', label: 'Rand error' } : { key: 'iou', label: 'IoU' };
}

/** One row per run and scored group. */
export interface SummaryRow {
  readonly case: string;
  readonly fold: string;
  readonly group: string;
  readonly corrections: string;
  readonly painted: number;
  readonly strategy: string;
  readonly seed: number;
  /** Starting model, object scoring and corrections' threshold, where the record names them (since session 11). */
  readonly model?: string;
  readonly objects?: string;
  readonly correctionThreshold?: number;
  readonly errorBefore: number;
  readonly errorAfter: number;
  /** (after - before) / before of the headline error; -0.25 meets the goal. */
  readonly errorChange: number;
  readonly secondBefore: number;
  readonly secondAfter: number;
  readonly validationLossBefore: number;
  readonly validationLossAfter: number;
  readonly validationAccuracyBefore: number;
  readonly validationAccuracyAfter: number;
  readonly steps: number;
  readonly bestStep: number;
  readonly kept: string;
  readonly wallSeconds: number;
  /** CPU seconds of the fine-tune (≈ wall time with a core to itself). */
  readonly cpuSeconds: number;
  readonly msPerStep: number;
  readonly tileSize: number;
  readonly loadAverage: number;
}

const round = (v: number, digits = 4): number => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * A run's strategy as reported: `card` names what the card held (its distillation and encoder scale), since
 * cards change (nuclei encoder 0.1 in session 11, EM distillation 10 in session 13) and a `card` run of
 * before and of after a change are different settings, not a rerun; a run with `--steps` names its steps.
 */
export function strategyLabel(r: RunRecord): string {
  const { distillation, encoderLrScale, steps } = r.tune.settings;
  if (r.strategy === 'card') return `card [distillation ${String(distillation)}, encoder ${String(encoderLrScale)}]`;
  // A run with --steps is another setting than the strategy's own step count.
  const own = STRATEGIES.find((s) => s.name === r.strategy)?.settings?.steps;
  return own !== undefined && steps !== undefined && steps !== own ? `${r.strategy} [${String(steps)} steps]` : r.strategy;
}

/** Flattens records into rows (nuclei: one per half A / B; EM: one per fold). */
export function summaryRows(records: readonly RunRecord[]): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const r of records) {
    const second = secondMetric(r.case).key;
    for (const group of Object.keys(r.heldOut.after).filter((g) => g !== 'all')) {
      const before = r.heldOut.before[group];
      const after = r.heldOut.after[group];
      const eb = headlineError(r.case, before);
      const ea = headlineError(r.case, after);
      rows.push({
        case: r.case,
        fold: r.fold,
        group,
        corrections: r.corrections,
        painted: round(r.images.reduce((s, i) => s + i.fraction, 0) / Math.max(1, r.images.length), 3),
        strategy: strategyLabel(r),
        seed: r.seed,
        model: r.model,
        objects: r.objects,
        correctionThreshold: r.correctionThreshold,
        errorBefore: round(eb),
        errorAfter: round(ea),
        errorChange: round(eb === 0 ? 0 : (ea - eb) / eb, 3),
        secondBefore: round(before[second]),
        secondAfter: round(after[second]),
        validationLossBefore: round(r.validation.before.loss),
        validationLossAfter: round(r.validation.after.loss),
        validationAccuracyBefore: round(r.validation.before.pixelAccuracy),
        validationAccuracyAfter: round(r.validation.after.pixelAccuracy),
        steps: r.tune.steps,
        bestStep: r.tune.bestStep,
        kept: r.tune.kept,
        wallSeconds: round(r.wallMs / 1000, 1),
        cpuSeconds: round(r.cpuMs / 1000, 1),
        msPerStep: Math.round(r.tune.msPerStep),
        tileSize: r.tune.tileSize,
        loadAverage: round(r.loadAverage.start, 1),
      });
    }
  }
  return rows;
}

/** A Markdown table of the rows (the README's format). */
export function markdownTable(rows: readonly SummaryRow[]): string {
  const head =
    '| case | scored on | corrections (painted) | strategy | error before → after (change) | 2nd metric before → after | ' +
    'held-out corrections: loss, accuracy before → after | steps (kept) | wall s (CPU s) | ms/step | tile |';
  const sep = '|---|---|---|---|---|---|---|---|---:|---:|---:|';
  const pct = (v: number): string => `${v >= 0 ? '+' : ''}${(100 * v).toFixed(1)}%`;
  const lines = rows.map((r) => {
    const scored = r.case.startsWith('em') ? `fold ${r.fold}` : `half ${r.group}`;
    const second = `${secondMetric(r.case).label} ${r.secondBefore.toFixed(3)} → ${r.secondAfter.toFixed(3)}`;
    const val =
      `${r.validationLossBefore.toFixed(3)} → ${r.validationLossAfter.toFixed(3)}, ` +
      `${r.validationAccuracyBefore.toFixed(3)} → ${r.validationAccuracyAfter.toFixed(3)}`;
    const kept = r.kept === 'start' ? 'start' : String(r.bestStep);
    const strategy = r.model === undefined ? r.strategy : `${r.strategy} (${describeStart(r)}, seed ${r.seed})`;
    return (
      `| ${r.case} | ${scored} | ${r.corrections} (${(100 * r.painted).toFixed(1)}%) | ${strategy} | ` +
      `${r.errorBefore.toFixed(4)} → ${r.errorAfter.toFixed(4)} (${pct(r.errorChange)}) | ${second} | ${val} | ` +
      `${r.steps} (${kept}) | ${r.wallSeconds.toFixed(0)} (${r.cpuSeconds.toFixed(0)}) | ${r.msPerStep} | ${r.tileSize} |`
    );
  });
  return [head, sep, ...lines].join('\n');
}

/** The starting model, its object scoring and the corrections' threshold, for the strategy column. */
function describeStart(r: SummaryRow): string {
  const threshold = r.correctionThreshold === undefined ? '' : `, corrections at ${r.correctionThreshold}`;
  return `${r.model}, ${r.objects ?? 'plain'} objects${threshold}`;
}

/**
 * Last record wins per (case, fold, scored groups, corrections, strategy as labelled by strategyLabel, seed,
 * model, objects, corrections' threshold): a rerun replaces an older line, and a --groups A run and a
 * --groups B run are both kept.
 */
export function latestRecords(records: readonly RunRecord[]): RunRecord[] {
  const byKey = new Map<string, RunRecord>();
  for (const r of records) {
    const groups = Object.keys(r.heldOut.after).join(',');
    byKey.set(`${r.case}|${r.fold}|${groups}|${r.corrections}|${strategyLabel(r)}|${r.seed}|${r.model}|${r.objects}|${r.correctionThreshold}`, r);
  }
  return [...byKey.values()];
}
