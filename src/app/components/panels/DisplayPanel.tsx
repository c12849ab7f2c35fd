import { useEffect, useMemo, useRef } from 'react';
import type { DisplayChannel } from '../../../image/display';
import { getPixels } from '../../../state/pixels';
import { useStudio } from '../../../state/store';
import { Section } from './Section';

const BINS = 128;

/** Histogram of the shown channel (log counts) over the slider range, from at most 2^18 samples. */
function useHistogram(id: string | null, channel: DisplayChannel | undefined, lo: number, hi: number): Float32Array | null {
  return useMemo(() => {
    const px = getPixels(id);
    if (!px || channel === undefined || !(hi > lo)) return null;
    const { data, channels, width, height } = px.raster;
    const n = width * height;
    const step = Math.max(1, Math.floor(n / (1 << 18)));
    const bins = new Float32Array(BINS);
    const colour = channels === 4 ? 3 : channels;
    for (let p = 0; p < n; p += step) {
      let v: number;
      if (typeof channel === 'number') v = data[p * channels + channel];
      else {
        v = 0;
        for (let c = 0; c < colour; c++) v += data[p * channels + c];
        v /= colour;
      }
      const b = Math.floor(((v - lo) / (hi - lo)) * BINS);
      if (b >= 0 && b < BINS) bins[b]++;
      else if (b === BINS) bins[BINS - 1]++;
    }
    let max = 0;
    for (let b = 0; b < BINS; b++) max = Math.max(max, (bins[b] = Math.log1p(bins[b])));
    for (let b = 0; b < BINS; b++) bins[b] /= max || 1;
    return bins;
  }, [id, channel, lo, hi]);
}

function Histogram({ bins, min, max, lo, hi }: { bins: Float32Array; min: number; max: number; lo: number; hi: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const w = canvas.width;
    const h = canvas.height;
    ctx.clearRect(0, 0, w, h);
    const x0 = ((min - lo) / (hi - lo)) * w;
    const x1 = ((max - lo) / (hi - lo)) * w;
    ctx.fillStyle = 'rgba(56,189,248,0.10)';
    ctx.fillRect(x0, 0, x1 - x0, h);
    ctx.fillStyle = '#9aa3b2';
    for (let b = 0; b < BINS; b++) {
      const bh = bins[b] * (h - 2);
      ctx.fillRect((b / BINS) * w, h - bh, w / BINS, bh);
    }
    ctx.strokeStyle = '#38bdf8';
    ctx.beginPath();
    ctx.moveTo(x0, h);
    ctx.lineTo(x1, 0);
    ctx.stroke();
  }, [bins, min, max, lo, hi]);
  return <canvas ref={ref} className="histogram" width={256} height={48} aria-hidden="true" />;
}

function step(bitDepth: number, lo: number, hi: number): number {
  return bitDepth === 32 ? (hi - lo) / 1000 || 0.001 : 1;
}

/** Display contrast of the shown image: auto, min/max sliders with a histogram, invert, channel. */
export function DisplayPanel() {
  const id = useStudio((s) => s.selectedId);
  const image = useStudio((s) => s.images.find((i) => i.id === s.selectedId));
  const display = useStudio((s) => (s.selectedId ? s.display[s.selectedId] : undefined));
  const setDisplay = useStudio((s) => s.setDisplay);
  const autoContrast = useStudio((s) => s.autoContrast);
  const lo = display?.bounds.min ?? 0;
  const hi = display && display.bounds.max > display.bounds.min ? display.bounds.max : lo + 1;
  const bins = useHistogram(id, display ? (display.channel === 'rgb' ? 'mean' : display.channel) : undefined, lo, hi);
  if (!id || !image || !display) return null;
  const s = step(image.bitDepth, lo, hi);
  const fmt = (v: number) => (image.bitDepth === 32 ? Number(v.toPrecision(4)).toString() : Math.round(v).toString());

  return (
    <Section
      title="Display"
      testId="display-panel"
      aside={
        <button className="small-btn" onClick={() => autoContrast(id)} disabled={display.auto} data-testid="auto-contrast" title="Auto contrast (0.1–99.9 percentiles)">
          Auto
        </button>
      }
    >
      {bins && <Histogram bins={bins} min={display.range.min} max={display.range.max} lo={lo} hi={hi} />}
      <label className="slider-field small">
        <span>Min</span>
        <input
          type="range"
          min={lo}
          max={hi}
          step={s}
          value={display.range.min}
          onChange={(e) => setDisplay(id, { auto: false, range: { min: Math.min(Number(e.target.value), display.range.max - s), max: display.range.max } })}
          data-testid="display-min"
          aria-label="Display minimum"
        />
        <span className="num">{fmt(display.range.min)}</span>
      </label>
      <label className="slider-field small">
        <span>Max</span>
        <input
          type="range"
          min={lo}
          max={hi}
          step={s}
          value={display.range.max}
          onChange={(e) => setDisplay(id, { auto: false, range: { min: display.range.min, max: Math.max(Number(e.target.value), display.range.min + s) } })}
          data-testid="display-max"
          aria-label="Display maximum"
        />
        <span className="num">{fmt(display.range.max)}</span>
      </label>
      <div className="row between">
        <label className="check small">
          <input type="checkbox" checked={display.invert} onChange={(e) => setDisplay(id, { invert: e.target.checked })} data-testid="invert" />
          Invert
        </label>
        {image.channels > 1 && (
          <select
            className="small"
            value={String(display.channel)}
            onChange={(e) => setDisplay(id, { channel: e.target.value === 'rgb' || e.target.value === 'mean' ? e.target.value : Number(e.target.value) })}
            aria-label="Displayed channel"
          >
            <option value="rgb">Colour</option>
            <option value="mean">Mean (grey)</option>
            {Array.from({ length: image.channels }, (_, k) => (
              <option key={k} value={k}>
                Channel {k + 1}
              </option>
            ))}
          </select>
        )}
      </div>
      <p className="muted tiny">Display only: the model always reads the raw values.</p>
    </Section>
  );
}
