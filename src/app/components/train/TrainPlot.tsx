import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { TrainCurve } from '../../../state/trainingSlice';
import { plotColumns } from './plotData';

const HEIGHT = 170;

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

/** Loss on the left axis, held-out foreground IoU (0..1) on the right; the legend shows the values under the cursor. */
function options(width: number): uPlot.Options {
  const muted = cssVar('--muted', '#9aa3b2');
  const grid = { stroke: cssVar('--line', '#2a303b'), width: 1 };
  const axis = { stroke: muted, grid, ticks: grid, font: '11px system-ui, sans-serif', labelFont: '11px system-ui, sans-serif' };
  const value = (digits: number) => (_u: uPlot, v: number | null) => (v === null || v === undefined ? '–' : v.toFixed(digits));
  return {
    width,
    height: HEIGHT,
    scales: { x: { time: false }, loss: { auto: true }, iou: { range: [0, 1] } },
    axes: [
      { ...axis, label: 'step', labelSize: 16, size: 28 },
      { ...axis, scale: 'loss', label: 'loss', labelSize: 16, size: 44 },
      { ...axis, scale: 'iou', side: 1, label: 'held-out IoU', labelSize: 16, size: 40, grid: { show: false } },
    ],
    series: [
      { label: 'step', value: (_u, v) => (v === null ? '–' : String(v)) },
      { label: 'loss', scale: 'loss', stroke: 'rgba(56, 189, 248, 0.35)', width: 1, value: value(4) },
      { label: 'smoothed', scale: 'loss', stroke: '#38bdf8', width: 2, value: value(4) },
      { label: 'held-out loss', scale: 'loss', stroke: '#fbbf24', width: 1.5, spanGaps: true, points: { show: true, size: 6 }, value: value(4) },
      { label: 'held-out IoU', scale: 'iou', stroke: '#34d399', width: 1.5, spanGaps: true, points: { show: true, size: 6 }, value: value(3) },
    ],
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
  };
}

/**
 * The fine-tune's loss and validation curves as a real plot (uPlot: axes, hover values in the legend),
 * updated in place as points arrive.
 */
export function TrainPlot({ curve }: { readonly curve: TrainCurve }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const made = new uPlot(options(Math.max(200, el.clientWidth)), plotColumns(curve), el);
    plot.current = made;
    const observer = new ResizeObserver(() => made.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      made.destroy();
      plot.current = null;
    };
    // Created once; data updates go through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    plot.current?.setData(plotColumns(curve));
  }, [curve]);

  const last = curve.validation.at(-1);
  return (
    <div
      className="train-plot"
      ref={box}
      data-testid="train-plot"
      data-points={curve.step.length}
      data-validation-points={curve.validation.length}
      data-last-iou={last ? last.foregroundIou.toFixed(4) : ''}
      aria-label="Training loss and held-out validation by step"
    />
  );
}
