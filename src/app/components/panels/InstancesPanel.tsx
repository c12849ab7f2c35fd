import type { PostProcessing } from '../../../worker/protocol';
import { currentInstancesKey, imageModelId, imageSettings, isSegmented } from '../../../state/predictions';
import { useStudio } from '../../../state/store';
import { Section } from './Section';

/** Pixel settings are in the model's pixels (src/image/postProcessing.ts, atObjectScale). */
const MODEL_PIXELS = ". Pixels of the model's scale: an image resized to match the model's object size gets them resized too";

function NumberField({ label, value, step, min, max, testId, title, onChange }: {
  readonly label: string;
  readonly value: number;
  readonly step: number;
  readonly min: number;
  readonly max?: number;
  readonly testId: string;
  readonly title: string;
  readonly onChange: (value: number) => void;
}) {
  return (
    <label className="slider-field small" title={title}>
      <span>{label}</span>
      <input
        type="number"
        min={min}
        max={max}
        step={step}
        value={value}
        onChange={(e) => {
          const v = Number(e.target.value);
          if (e.target.value !== '' && Number.isFinite(v)) onChange(v);
        }}
        data-testid={testId}
        aria-label={title}
      />
      <span className="muted">px</span>
    </label>
  );
}

/**
 * How the shown image's probability becomes objects (src/image/postProcessing.ts, the same settings
 * `npm run segment` and `evaluate` use), per model, starting from its card; the object count. A change
 * re-labels the cached probability in the image worker; the model does not run again.
 */
export function InstancesPanel() {
  const modelId = useStudio((s) => (s.selectedId ? imageModelId(s, s.selectedId) : null));
  const settings = useStudio((s) => (s.selectedId ? imageSettings(s, s.selectedId) : null));
  const changed = useStudio((s) => modelId !== null && s.postProcessing[modelId] !== undefined);
  const setSettings = useStudio((s) => s.setPostProcessing);
  const reset = useStudio((s) => s.resetPostProcessing);
  const plain = useStudio((s) => s.usePlainPostProcessing);
  const summary = useStudio((s) => (s.selectedId ? s.instances[s.selectedId] : undefined));
  const hasPrediction = useStudio((s) => isSegmented(s, s.selectedId));
  const wantedKey = useStudio((s) => (s.selectedId ? currentInstancesKey(s, s.selectedId) : null));
  const set = (change: Partial<PostProcessing>) => modelId && setSettings(modelId, change);
  const cells = settings?.objects === 'cells';

  return (
    <Section title="Objects" testId="instances-panel" aside={settings && <span className="muted tiny" data-testid="objects-kind">{cells ? 'EM cells' : 'objects'}</span>}>
      <div className="stat-row">
        <div className="stat">
          <span className="stat-value" data-testid="object-count" data-value={summary?.count ?? ''} data-fresh={summary !== undefined && summary.key === wantedKey}>
            {summary ? summary.count.toLocaleString() : '–'}
          </span>
          <span className="muted tiny">{cells ? 'cells' : 'objects'}</span>
        </div>
        <div className="stat">
          <span className="stat-value" data-testid="mask-pixels" data-value={summary?.foreground ?? ''}>
            {summary ? summary.foreground.toLocaleString() : '–'}
          </span>
          <span className="muted tiny">{cells ? 'membrane pixels' : 'mask pixels'}</span>
        </div>
      </div>
      {!hasPrediction && <p className="muted small">Segment the image to count its objects.</p>}
      {settings && (
        <fieldset className="plain-fieldset" data-testid="post-processing" data-settings={JSON.stringify(settings)}>
          <label className="slider-field small">
            <span>Threshold</span>
            <input
              type="range"
              min={0.05}
              max={0.95}
              step={0.01}
              value={settings.threshold}
              onChange={(e) => set({ threshold: Number(e.target.value) })}
              data-testid="threshold"
              aria-label={cells ? 'Membrane probability threshold' : 'Probability threshold'}
            />
            <span className="num">{settings.threshold.toFixed(2)}</span>
          </label>
          <NumberField label="Min size" value={settings.minSize} step={1} min={0} testId="min-size" title={`${cells ? 'Cells smaller than this (pixels) merge with a neighbour' : 'Objects smaller than this (pixels) join a neighbour or are dropped'}${MODEL_PIXELS}`} onChange={(v) => set({ minSize: Math.max(0, Math.round(v)) })} />
          <NumberField label="Smooth σ" value={settings.smoothing} step={0.5} min={0} max={50} testId="smoothing" title={`Gaussian blur of the probability before thresholding (σ in pixels; 0 = none)${MODEL_PIXELS}`} onChange={(v) => set({ smoothing: Math.min(50, Math.max(0, v)) })} />
          {!cells && (
            <label className="check small" title="Background enclosed by an object (not connected to the image border) becomes part of it">
              <input type="checkbox" checked={settings.fillHoles} onChange={(e) => set({ fillHoles: e.target.checked })} data-testid="fill-holes" />
              Fill holes
            </label>
          )}
          <label className="check small" title={cells ? 'Watershed of the membrane probability from its minima: every pixel belongs to a cell' : 'Seeded watershed on the distance to the background separates touching objects'}>
            <input type="checkbox" checked={settings.split === 'watershed'} onChange={(e) => set({ split: e.target.checked ? 'watershed' : 'none' })} data-testid="split-watershed" />
            {cells ? 'Cells from membranes (watershed)' : 'Split touching objects'}
          </label>
          {settings.split === 'watershed' && (
            <NumberField label="Seed h" value={settings.h} step={cells ? 0.01 : 0.5} min={0} testId="seed-h" title={cells ? 'Seed depth in probability: a minimum must lie this far below the membrane to seed a cell' : `Seed depth in pixels of distance: a neck must be this much narrower than both centres to split${MODEL_PIXELS}`} onChange={(v) => set({ h: Math.max(0, v) })} />
          )}
          <label className="check small" title="With 8-connectivity, pixels touching only at a corner belong to one object">
            <input type="checkbox" checked={settings.connectivity === 8} onChange={(e) => set({ connectivity: e.target.checked ? 8 : 4 })} data-testid="connectivity-8" />
            8-connected (diagonal neighbours join)
          </label>
          <div className="row small">
            <span className="muted grow" data-testid="post-processing-source">{changed ? 'changed' : "the model's settings"}</span>
            <button className="small-btn" disabled={!changed} onClick={() => modelId && reset(modelId)} data-testid="post-processing-reset" title="Back to the model card's settings (as npm run segment uses)">
              Model's
            </button>
            <button className="small-btn" onClick={() => modelId && plain(modelId)} data-testid="post-processing-plain" title="Threshold and connected components only (npm run segment --plain)">
              Plain
            </button>
          </div>
        </fieldset>
      )}
    </Section>
  );
}
