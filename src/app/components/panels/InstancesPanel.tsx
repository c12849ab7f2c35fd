import { isSegmented } from '../../../state/predictions';
import { useStudio } from '../../../state/store';
import { Section } from './Section';

/** Threshold, connectivity and minimum size of the objects; the object count of the shown image. */
export function InstancesPanel() {
  const threshold = useStudio((s) => s.threshold);
  const connectivity = useStudio((s) => s.connectivity);
  const minSize = useStudio((s) => s.minSize);
  const setParams = useStudio((s) => s.setInstanceParams);
  const summary = useStudio((s) => (s.selectedId ? s.instances[s.selectedId] : undefined));
  const hasPrediction = useStudio((s) => isSegmented(s, s.selectedId));

  return (
    <Section title="Objects" testId="instances-panel">
      <div className="stat-row">
        <div className="stat">
          <span className="stat-value" data-testid="object-count" data-value={summary?.count ?? ''}>
            {summary ? summary.count.toLocaleString() : '–'}
          </span>
          <span className="muted tiny">objects</span>
        </div>
        <div className="stat">
          <span className="stat-value" data-testid="mask-pixels" data-value={summary?.foreground ?? ''}>
            {summary ? summary.foreground.toLocaleString() : '–'}
          </span>
          <span className="muted tiny">mask pixels</span>
        </div>
      </div>
      {!hasPrediction && <p className="muted small">Segment the image to count its objects.</p>}
      <label className="slider-field small">
        <span>Threshold</span>
        <input
          type="range"
          min={0.05}
          max={0.95}
          step={0.01}
          value={threshold}
          onChange={(e) => setParams({ threshold: Number(e.target.value) })}
          data-testid="threshold"
          aria-label="Probability threshold"
        />
        <span className="num">{threshold.toFixed(2)}</span>
      </label>
      <label className="slider-field small">
        <span>Min size</span>
        <input
          type="number"
          min={0}
          step={1}
          value={minSize}
          onChange={(e) => setParams({ minSize: Math.max(0, Math.round(Number(e.target.value) || 0)) })}
          data-testid="min-size"
          aria-label="Minimum object size in pixels"
        />
        <span className="muted">px</span>
      </label>
      <label className="check small" title="With 8-connectivity, pixels touching only at a corner belong to one object">
        <input type="checkbox" checked={connectivity === 8} onChange={(e) => setParams({ connectivity: e.target.checked ? 8 : 4 })} data-testid="connectivity-8" />
        8-connected (diagonal neighbours join)
      </label>
    </Section>
  );
}
