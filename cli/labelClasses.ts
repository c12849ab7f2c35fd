import type { RasterImage } from '../src/image/types';
import type { LabelFormat, Task } from './dataset';

/*
 * Label files whose values match no class. The classic case: a 1-bit membrane mask is decoded as 0/255,
 * so `--membrane-value 1` matches no pixel; without this check evaluate scores IoU 0 and train learns
 * "never membrane", both silently.
 */

/** The distinct values of the first channel, at most `limit` of them, ascending. */
function distinctValues(raster: RasterImage, limit: number): { values: number[]; more: boolean } {
  const seen = new Set<number>();
  const { data, channels } = raster;
  for (let i = 0; i < data.length; i += channels) {
    seen.add(data[i]);
    if (seen.size > limit) break;
  }
  const values = [...seen].sort((a, b) => a - b);
  return { values: values.slice(0, limit), more: values.length > limit };
}

/**
 * Why these labels cannot be scored or trained on as `task` with `format`, or null when they can.
 * Binary membranes: no pixel (or every pixel) equals `membraneValue`.
 */
export function labelClassProblem(raster: RasterImage, format: LabelFormat, task: Task, membraneValue: number, name: string): string | null {
  if (format !== 'binary' || task !== 'membranes') return null;
  const { data, channels } = raster;
  let membrane = 0;
  for (let i = 0; i < data.length; i += channels) if (data[i] === membraneValue) membrane++;
  const total = data.length / channels;
  if (membrane > 0 && membrane < total) return null;
  const { values, more } = distinctValues(raster, 6);
  const held = `${values.join(', ')}${more ? ', …' : ''}`;
  if (membrane === 0) {
    return `${name} holds no membrane pixel: no pixel has the value ${membraneValue} (--membrane-value); its values are ${held}. ` +
      `Pass the membrane's value with --membrane-value (a 1-bit mask reads as 0/255; ISBI 2012 labels: 0).`;
  }
  return `${name} is membrane everywhere: every pixel has the value ${membraneValue} (--membrane-value), so it holds no cell pixel.`;
}

/**
 * Checks every label file; returns the warnings (also written to `write`, one per line) and a closing
 * line when any file was affected, so a table of scores is never read without it.
 */
export function warnLabelClasses(
  files: readonly { readonly raster: RasterImage; readonly name: string }[],
  format: LabelFormat,
  task: Task,
  membraneValue: number,
  write: (line: string) => void,
): string[] {
  const problems = files.map((f) => labelClassProblem(f.raster, format, task, membraneValue, f.name)).filter((p): p is string => p !== null);
  for (const p of problems) write(`warning: ${p}\n`);
  return problems;
}
