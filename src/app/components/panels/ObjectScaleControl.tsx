import { useState } from 'react';
import { diameterChoice, type DiameterChoice } from '../../../state/objectScaleSlice';
import { isSegmented } from '../../../state/predictions';
import { useStudio } from '../../../state/store';

/**
 * Object scale of the shown image: the model resizes it so its objects have the model's training diameter.
 * Shows the diameter the last segmentation estimated (or used) and lets the user set it or switch
 * rescaling off; a change applies at the next segmentation of the image.
 */
export function ObjectScaleControl() {
  const id = useStudio((s) => s.selectedId);
  const card = useStudio((s) => {
    const modelId = (s.selectedId ? s.images.find((i) => i.id === s.selectedId)?.modelId : undefined) ?? s.modelId;
    return modelId ? (s.loaded[modelId] ?? (s.model?.id === modelId ? s.model : null))?.card : undefined;
  });
  const overrides = useStudio((s) => s.diameterOverrides);
  const report = useStudio((s) => (s.selectedId ? s.objectScales[s.selectedId] : undefined));
  const segmented = useStudio((s) => isSegmented(s, s.selectedId));
  const setOverride = useStudio((s) => s.setDiameterOverride);
  const [draft, setDraft] = useState('');
  if (!id || card?.objectDiameter === undefined) return null;
  const training = card.objectDiameter;
  const choice = diameterChoice(overrides, id, card);
  const mode = typeof choice === 'number' ? 'set' : choice;
  const apply = (next: DiameterChoice): void => setOverride(id, next);

  return (
    <div className="field small" data-testid="object-scale">
      <label className="row between">
        <span className="muted" title={`The model was trained on objects about ${training} px across; images are resized to match.`}>
          Object diameter
        </span>
        <select
          value={mode}
          data-testid="diameter-mode"
          aria-label="Object diameter"
          onChange={(e) => {
            const m = e.target.value;
            if (m === 'set') apply(Number(draft) > 0 ? Number(draft) : Math.round(report?.diameter ?? training));
            else apply(m === 'off' ? 'off' : 'auto');
          }}
        >
          <option value="auto">Estimate</option>
          <option value="set">Set (px)</option>
          <option value="off">Off (as is)</option>
        </select>
      </label>
      {typeof choice === 'number' && (
        <label className="row between">
          <span className="muted">Diameter</span>
          <input
            type="number"
            min={1}
            step={1}
            value={draft === '' ? String(choice) : draft}
            data-testid="diameter-input"
            aria-label="Object diameter in pixels"
            onChange={(e) => setDraft(e.target.value)}
            onBlur={() => {
              const v = Number(draft);
              if (draft !== '' && v > 0 && Number.isFinite(v)) apply(v);
              setDraft('');
            }}
          />
          <span className="muted">px</span>
        </label>
      )}
      <p className="muted tiny" data-testid="diameter-estimate" data-value={report?.diameter ?? ''} data-scale={report?.scale ?? ''} data-fused-scale={report?.fusedScale ?? ''}>
        {report && segmented
          ? `${report.source === 'estimate' ? 'Estimated' : 'Set'}: ${report.diameter === null ? 'no objects found' : `${report.diameter.toFixed(1)} px`}` +
            ` · ${report.scale === 1 ? 'not resized' : `resized ×${report.scale.toFixed(2)}`}` +
            `${report.fusedScale === undefined ? '' : ` and ×${report.fusedScale.toFixed(2)}, averaged`} (model: ${training} px)`
          : segmented || choice === 'off'
            ? `Not resized (model: ${training} px)`
            : `Segment to estimate (model: ${training} px)`}
      </p>
    </div>
  );
}
