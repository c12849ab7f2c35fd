import { useEffect, useRef } from 'react';
import { METRIC_KEYS } from '../../../image/evaluation';
import { evaluationKey, evaluationTask } from '../../../state/evaluationSlice';
import { useStudio } from '../../../state/store';
import { Icon } from '../Icon';
import { Section } from './Section';

/** What the CLI's columns mean, for the panel's labels. */
const METRIC_LABELS: Readonly<Record<string, string>> = {
  iou: 'IoU',
  dice: 'Dice',
  pixelError: 'pixel error',
  ap: 'AP@0.5',
  f1: 'F1',
  precision: 'precision',
  recall: 'recall',
  randError: 'Rand error (cells)',
  maskRandError: 'Rand error (mask pieces)',
};

/**
 * Evaluate in the app: a ground-truth label image for the shown image (button or drop on this panel),
 * scored with the same code and metrics as `npm run evaluate`, again whenever the prediction or the
 * post-processing changes.
 */
export function EvaluationPanel() {
  const id = useStudio((s) => s.selectedId);
  const truth = useStudio((s) => (s.selectedId ? s.groundTruth[s.selectedId] : undefined));
  const result = useStudio((s) => (s.selectedId ? s.evaluations[s.selectedId] : undefined));
  const wanted = useStudio((s) => (s.selectedId ? evaluationKey(s, s.selectedId) : null));
  const task = useStudio((s) => (s.selectedId ? evaluationTask(s, s.selectedId) : 'nuclei'));
  const load = useStudio((s) => s.loadGroundTruth);
  const setOptions = useStudio((s) => s.setGroundTruthOptions);
  const remove = useStudio((s) => s.removeGroundTruth);
  const evaluate = useStudio((s) => s.evaluateImage);
  const input = useRef<HTMLInputElement>(null);

  // Stale metrics (new prediction, settings or options) are computed again, once the settings rest.
  useEffect(() => {
    if (!id || !wanted) return;
    const timer = setTimeout(() => void evaluate(id), 200);
    return () => clearTimeout(timer);
  }, [id, wanted, evaluate]);

  if (!id) return null;
  const pick = (files: FileList | null) => {
    const file = files?.[0];
    if (file) void load(id, file);
  };
  const fresh = result && result.key === wanted;

  return (
    <Section title="Evaluate" testId="evaluation-panel">
      <div
        className="drop-target small"
        onDragOver={(e) => {
          e.preventDefault();
          e.stopPropagation();
        }}
        onDrop={(e) => {
          // The label image is this image's ground truth, not another image to add.
          e.preventDefault();
          e.stopPropagation();
          pick(e.dataTransfer.files);
        }}
      >
        <div className="row">
          <button className="small-btn" onClick={() => input.current?.click()} data-testid="ground-truth-open" title="A label image of the same size: binary (mask) or instance (one id per object), PNG or TIFF">
            <Icon name="upload" /> Ground truth…
          </button>
          {truth && (
            <button className="small-btn" onClick={() => remove(id)} data-testid="ground-truth-remove">
              Remove
            </button>
          )}
        </div>
        <input ref={input} type="file" hidden accept=".png,.tif,.tiff,image/png,image/tiff" data-testid="ground-truth-input" onChange={(e) => {
          pick(e.currentTarget.files);
          e.currentTarget.value = '';
        }} />
        {!truth && <p className="muted tiny">Or drop a label image here. Scored as npm run evaluate scores it.</p>}
      </div>
      {truth && (
        <>
          <p className="muted tiny ellipsis" data-testid="ground-truth-name" title={truth.name}>{truth.name}</p>
          <label className="slider-field small">
            <span>Labels</span>
            <select value={truth.format} onChange={(e) => setOptions(id, { format: e.target.value as 'binary' | 'instance' })} data-testid="ground-truth-format">
              <option value="binary">binary (mask)</option>
              <option value="instance">instance (ids)</option>
            </select>
            <span />
          </label>
          {task === 'membranes' && truth.format === 'binary' && (
            <label className="slider-field small" title="The value that marks membrane in a binary label image (ISBI 2012: 0)">
              <span>Membrane</span>
              <input type="number" min={0} step={1} value={truth.membraneValue} onChange={(e) => setOptions(id, { membraneValue: Math.max(0, Math.round(Number(e.target.value) || 0)) })} data-testid="membrane-value" />
              <span />
            </label>
          )}
          {result ? (
            <dl className="metrics" data-testid="metrics" data-fresh={fresh ? 'true' : 'false'} data-task={result.task}>
              {METRIC_KEYS[result.task].map((k) => (
                <div key={k} className="fact-pair">
                  <dt>{METRIC_LABELS[k] ?? k}</dt>
                  <dd data-testid={`metric-${k}`} data-value={result.metrics[k]}>
                    {result.metrics[k].toFixed(4)}
                  </dd>
                </div>
              ))}
            </dl>
          ) : (
            <p className="muted small">{wanted ? 'Scoring…' : 'Segment the image to score it.'}</p>
          )}
        </>
      )}
    </Section>
  );
}
