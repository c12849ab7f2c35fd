import { useStudio } from '../../state/store';
import { Section } from './panels/Section';

/** A small loss curve: the user sees at a glance whether fine-tuning converges. */
function LossCurve({ values }: { values: readonly number[] }) {
  const finite = values.filter(Number.isFinite);
  if (finite.length < 2) return null;
  const max = Math.max(...finite);
  const min = Math.min(...finite);
  const span = max - min || 1;
  const points = finite.map((v, i) => `${(i / (finite.length - 1)) * 100},${30 - ((v - min) / span) * 28 - 1}`).join(' ');
  return (
    <svg className="loss-curve" viewBox="0 0 100 30" preserveAspectRatio="none" aria-label="Training loss">
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" vectorEffect="non-scaling-stroke" />
    </svg>
  );
}

/** Fine-tuning the loaded model on the painted labels, in the worker. */
export function TrainPanel() {
  const stats = useStudio((s) => s.labelStats);
  const modelReady = useStudio((s) => s.modelStatus === 'ready');
  const options = useStudio((s) => s.trainOptions);
  const run = useStudio((s) => s.trainRun);
  const history = useStudio((s) => s.lossHistory);
  const setOptions = useStudio((s) => s.setTrainOptions);
  const train = useStudio((s) => s.trainOnPaintedLabels);
  const cancel = useStudio((s) => s.cancelTraining);
  const downloadModel = useStudio((s) => s.downloadModel);
  const trained = useStudio((s) => s.model?.card.trainedSteps ?? 0);

  const painted = Object.values(stats).filter((s) => s.background + s.foreground > 0);
  const bothClasses = painted.some((s) => s.background > 0) && painted.some((s) => s.foreground > 0);
  return (
    <Section title="Fine-tune" testId="train-panel">
      <div className="train-panel">
      <p className="muted small">
        {painted.length === 0
          ? 'Paint background and foreground where the model is wrong, then train on those labels.'
          : `${painted.length} image${painted.length === 1 ? '' : 's'} with painted labels.`}
      </p>
      <div className="row small">
        <label className="inline-field">
          Steps
          <input type="number" min={1} max={10000} value={options.steps} onChange={(e) => setOptions({ steps: Math.max(1, Number(e.target.value) || 1) })} data-testid="train-steps" />
        </label>
        <label className="inline-field">
          LR
          <input type="number" min={1e-6} max={1} step={1e-4} value={options.learningRate} onChange={(e) => setOptions({ learningRate: Number(e.target.value) || 1e-4 })} />
        </label>
        <select value={options.optimizer} onChange={(e) => setOptions({ optimizer: e.target.value as 'adam' | 'sgd' })} aria-label="Optimizer">
          <option value="adam">Adam</option>
          <option value="sgd">SGD, momentum 0.99</option>
        </select>
      </div>
      <div className="row">
        {run ? (
          <button onClick={cancel} data-testid="train-cancel">
            Stop
          </button>
        ) : (
          <button className="primary" disabled={!modelReady || !bothClasses} onClick={() => void train()} data-testid="train-button" title={bothClasses ? '' : 'Paint both classes first'}>
            Train on painted labels
          </button>
        )}
        <button onClick={() => void downloadModel()} disabled={!modelReady} data-testid="download-model">
          Download model
        </button>
      </div>
      {run && (
        <div className="small" data-testid="train-progress" data-step={run.step}>
          <progress value={run.step} max={run.steps} />
          step {run.step}/{run.steps} · loss {Number.isFinite(run.loss) ? run.loss.toFixed(4) : '…'} · {run.msPerStep.toFixed(0)} ms/step
        </div>
      )}
      <LossCurve values={history} />
      {trained > 0 && !run && <p className="muted small">Model trained for {trained} steps in total.</p>}
      </div>
    </Section>
  );
}
