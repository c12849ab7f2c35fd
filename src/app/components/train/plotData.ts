import type { TrainCurve } from '../../../state/trainingSlice';

/** uPlot's columns: steps, then one value (or null = no point) per series and step. */
export type PlotColumns = [number[], (number | null)[], (number | null)[], (number | null)[], (number | null)[]];

/**
 * The run's curves as aligned columns: x = every step that has a training loss or a validation point
 * (validation starts at step 0, before any training); series = loss, smoothed loss, held-out loss,
 * held-out foreground IoU.
 */
export function plotColumns(curve: TrainCurve): PlotColumns {
  const steps = new Set<number>(curve.step);
  for (const v of curve.validation) steps.add(v.step);
  const x = [...steps].sort((a, b) => a - b);
  const index = new Map(x.map((s, i) => [s, i]));
  const column = () => new Array<number | null>(x.length).fill(null);
  const loss = column();
  const smoothed = column();
  const valLoss = column();
  const valIou = column();
  curve.step.forEach((s, k) => {
    const i = index.get(s) as number;
    loss[i] = curve.loss[k];
    smoothed[i] = curve.smoothed[k];
  });
  for (const v of curve.validation) {
    const i = index.get(v.step) as number;
    valLoss[i] = v.loss;
    valIou[i] = v.foregroundIou;
  }
  return [x, loss, smoothed, valLoss, valIou];
}
