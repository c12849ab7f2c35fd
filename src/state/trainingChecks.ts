/**
 * What the app checks before a fine-tune, so that too few strokes or one class give a clear message instead
 * of a silent bad run, and how a new fine-tuned model is named. Pure functions, tested in Node.
 */

/** Painted labels over every image that has some, and how the region split divides them. */
export interface PaintedSummary {
  readonly images: number;
  readonly background: number;
  readonly foreground: number;
  /** Painted regions (strokes / connected patches per class) and how many the split holds out. */
  readonly regions: number;
  readonly heldOutRegions: number;
}

/** Fewer labelled pixels than this is almost certainly a slip of the mouse, not a training set. */
export const MIN_LABELLED_PIXELS = 20;

/**
 * Null when a fine-tune can start, else one sentence saying what to paint. `useAll`: no validation split.
 * `classNames` are the user's names of background and foreground.
 */
export function checkTrainingLabels(summary: PaintedSummary, useAll: boolean, classNames: readonly [string, string]): string | null {
  const [bgName, fgName] = classNames;
  const labelled = summary.background + summary.foreground;
  if (summary.images === 0 || labelled === 0) return `Nothing to train on yet: paint ${bgName} and ${fgName} where the model is wrong.`;
  if (summary.foreground === 0 || summary.background === 0) {
    const missing = summary.foreground === 0 ? fgName : bgName;
    return `Paint some ${missing} too: the model cannot learn from one class alone.`;
  }
  if (labelled < MIN_LABELLED_PIXELS) return `Paint a little more: ${labelled} labelled pixels are too few to train on.`;
  if (!useAll && summary.heldOutRegions === 0) {
    return `Too few strokes to hold any out for validation (${summary.regions} painted region${summary.regions === 1 ? '' : 's'}): paint a few more separate strokes of each class, or tick "Use all labels for training" (then nothing checks that the model got better).`;
  }
  return null;
}

/** One line for the panel: what the split holds out, or what using all labels means. */
export function splitLine(summary: PaintedSummary, useAll: boolean): string {
  if (useAll) return 'All painted labels train the model: no validation, so no guarantee that the kept weights are better than the start (the last weights are kept).';
  return `${summary.heldOutRegions} of ${summary.regions} painted region${summary.regions === 1 ? '' : 's'} held out for validation (hatched).`;
}

/** The base name of a model: its card name without a " · tuned N" suffix. */
export function baseModelName(name: string): string {
  return name.replace(/ · tuned \d+$/, '');
}

/** The name and registry id of the next fine-tune of `parent`: "em-membranes · tuned 1", then 2, ... */
export function nextTunedModel(existing: readonly { readonly id: string; readonly label: string }[], parentName: string): { id: string; name: string } {
  const base = baseModelName(parentName);
  let n = 1;
  const taken = (k: number) => existing.some((m) => m.label === `${base} · tuned ${k}` || m.id === `${base}~tuned-${k}`);
  while (taken(n)) n++;
  return { id: `${base}~tuned-${n}`, name: `${base} · tuned ${n}` };
}
