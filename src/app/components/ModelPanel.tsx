import { useEffect } from 'react';
import { useStudio } from '../../state/store';
import type { TuningRecord } from '../../worker/protocol';
import { formatBytes } from '../formatBytes';
import { ModelLibrary } from './ModelLibrary';

/** Where a fine-tuned model of this session came from, and how it did on the held-out strokes. */
function TuningFacts({ tuning, onDiscard }: { readonly tuning: TuningRecord; readonly onDiscard?: () => void }) {
  const { before, after } = tuning;
  return (
    <div className="tuning small" data-testid="tuning-facts" data-parent={tuning.parentId} data-kept={tuning.kept}>
      <p>
        Fine-tuned from <b>{tuning.parentName}</b> in this session: {tuning.steps} step{tuning.steps === 1 ? '' : 's'}
        {tuning.aborted ? ' (stopped)' : ''} on {tuning.images} image{tuning.images === 1 ? '' : 's'}, kept {tuning.kept === 'tuned' ? `step ${tuning.bestStep}` : 'the starting weights'}.
      </p>
      {before && after && (
        <p className="muted">
          Held-out accuracy {before.pixelAccuracy.toFixed(3)} → {after.pixelAccuracy.toFixed(3)}, IoU {before.foregroundIou.toFixed(3)} → {after.foregroundIou.toFixed(3)}.
        </p>
      )}
      <p className="muted">Kept in the model library until the page is reloaded: export it to keep it for good.</p>
      {onDiscard && (
        <button className="small-btn" onClick={onDiscard} data-testid="discard-model" title="Remove this fine-tuned model from the session">
          Discard
        </button>
      )}
    </div>
  );
}


/** Model choice and facts, inference options, and what the memory-budget chooser picked. */
export function ModelPanel() {
  const backendReady = useStudio((s) => s.backendStatus === 'ready');
  const models = useStudio((s) => s.models);
  const modelId = useStudio((s) => s.modelId);
  const status = useStudio((s) => s.modelStatus);
  const model = useStudio((s) => s.model);
  const error = useStudio((s) => s.modelError);
  const tile = useStudio((s) => s.lastTile);
  const options = useStudio((s) => s.segmentOptions);
  const loadDefaultModel = useStudio((s) => s.loadDefaultModel);
  const loadModel = useStudio((s) => s.loadModel);
  const setOptions = useStudio((s) => s.setSegmentOptions);
  const discard = useStudio((s) => s.discardModel);
  const training = useStudio((s) => s.trainRun !== null);
  const hasImage = useStudio((s) => s.selectedId !== null);

  useEffect(() => {
    if (backendReady && status === 'none') void loadDefaultModel();
  }, [backendReady, status, loadDefaultModel]);

  const card = model?.card;
  return (
    <section className="model-panel" data-testid="model-panel">
      <h2>Model</h2>
      <label className="field">
        <span className="muted small">{hasImage ? 'Segment this image with' : 'Segment new images with'}</span>
        <select
          data-testid="model-select"
          value={modelId ?? ''}
          disabled={status === 'loading' || models.length === 0}
          onChange={(e) => void loadModel(e.target.value)}
        >
          {models.map((m) => (
            <option key={m.id} value={m.id}>
              {m.label}
            </option>
          ))}
        </select>
      </label>
      <ModelLibrary />
      {status === 'loading' && <p className="muted small">Loading model…</p>}
      {model?.tuning && status === 'ready' && <TuningFacts tuning={model.tuning} onDiscard={training ? undefined : () => void discard(model.id)} />}
      {status === 'error' && <p className="error-text small">{error}</p>}
      {model?.random && (
        <div className="notice small" data-testid="random-model-notice">
          <strong>Untrained model.</strong> Random weights: the output is noise until you paint labels and train.
        </div>
      )}
      {card && (
        <dl className="facts small" data-testid="model-facts" data-model-name={card.name} data-trained={card.trainedSteps}>
          <dt>Task</dt>
          <dd>{card.task}</dd>
          <dt>U-Net</dt>
          <dd>
            depth {card.architecture.depth}, {card.architecture.baseFilters} filters, {card.architecture.padding}
          </dd>
          <dt>Parameters</dt>
          <dd>{(model.parameters / 1e6).toFixed(2)} M</dd>
          <dt>Context</dt>
          <dd>{model.margin} px per side</dd>
          {card.trainedSteps > 0 && (
            <>
              <dt>Trained</dt>
              <dd>{card.trainedSteps} steps</dd>
            </>
          )}
          {card.metrics &&
            Object.entries(card.metrics)
              .slice(0, 4)
              .map(([k, v]) => (
                <span key={k} className="fact-pair">
                  <dt>{k}</dt>
                  <dd>{v.toFixed(3)}</dd>
                </span>
              ))}
        </dl>
      )}
      <h3>Inference</h3>
      <label className="check small">
        <input type="checkbox" checked={options.tta} onChange={(e) => setOptions({ tta: e.target.checked })} data-testid="tta-toggle" />
        Test-time augmentation (8 flips/rotations, 8× slower)
      </label>
      <label className="field small">
        <span className="muted">Memory budget (MiB, empty = from the device)</span>
        <input
          type="number"
          min={16}
          step={16}
          value={options.budgetBytes ? Math.round(options.budgetBytes / 2 ** 20) : ''}
          onChange={(e) => setOptions({ budgetBytes: e.target.value ? Number(e.target.value) * 2 ** 20 : undefined })}
          data-testid="budget-input"
        />
      </label>
      {tile && (
        <p className="small muted" data-testid="tile-report" data-input={tile.inputSize} data-output={tile.outputSize} data-batch={tile.batch}>
          Tile {tile.inputWidth}×{tile.inputHeight} → {tile.outputWidth}×{tile.outputHeight} px × batch {tile.batch},{' '}
          {tile.tiles} tile{tile.tiles === 1 ? '' : 's'} ({tile.waste.toFixed(2)} input px per output px); estimate {formatBytes(tile.estimateBytes)} of{' '}
          {formatBytes(tile.budgetBytes)} budget
          {tile.backoffs > 0 ? `; halved ${tile.backoffs}× after out-of-memory` : ''}.
        </p>
      )}
    </section>
  );
}
