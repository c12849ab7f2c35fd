import { useShallow } from 'zustand/react/shallow';
import { useStudio } from '../../state/store';
import { checkTrainingLabels, splitLine } from '../../state/trainingChecks';
import { summarisePainted } from '../../state/trainingRun';
import { Section } from './panels/Section';
import { TrainProgress, TrainResult } from './train/TrainProgress';
import { TrainPlot } from './train/TrainPlot';
import { TrainSettings } from './train/TrainSettings';

const PREVIEW_CHOICES = [0, 5, 10, 20, 50];

/**
 * Fine-tuning the selected model on the painted labels, in the worker: the model's recipe with the user's
 * overrides, the validation split (held-out strokes hatched in the viewer), live curves and previews,
 * Stop, and what the run kept.
 */
export function TrainPanel() {
  const summary = useStudio(useShallow((s) => summarisePainted(s, s.useAllLabels)));
  const background = useStudio((s) => s.classes[0].name);
  const foreground = useStudio((s) => s.classes[1].name);
  const modelReady = useStudio((s) => s.modelStatus === 'ready');
  const modelName = useStudio((s) => s.model?.card.name ?? '');
  const useAll = useStudio((s) => s.useAllLabels);
  const setUseAll = useStudio((s) => s.setUseAllLabels);
  const previewEvery = useStudio((s) => s.previewEvery);
  const setPreviewEvery = useStudio((s) => s.setPreviewEvery);
  const run = useStudio((s) => s.trainRun);
  const curve = useStudio((s) => s.trainCurve);
  const train = useStudio((s) => s.trainOnPaintedLabels);
  const stop = useStudio((s) => s.stopTraining);
  const previewNow = useStudio((s) => s.previewNow);
  const downloadModel = useStudio((s) => s.downloadModel);

  const problem = checkTrainingLabels(summary, useAll, [background, foreground]);
  return (
    <Section title="Fine-tune" testId="train-panel">
      <div className="train-panel">
        <p className="muted small">
          Trains a copy of <b>{modelName || 'the selected model'}</b> on your painted labels; the original stays as it is and the result is added to the model list.
        </p>
        <TrainSettings disabled={run !== null} />
        <label className="check small">
          <input type="checkbox" checked={useAll} disabled={run !== null} onChange={(e) => setUseAll(e.target.checked)} data-testid="train-use-all" />
          Use all labels for training (no validation)
        </label>
        {summary.images > 0 && (
          <p className={`small ${useAll ? 'warn-text' : 'muted'}`} data-testid="split-line" data-regions={summary.regions} data-held-out={summary.heldOutRegions}>
            {splitLine(summary, useAll)}
          </p>
        )}
        {problem && !run && (
          <p className="small warn-text" data-testid="train-check">
            {problem}
          </p>
        )}
        <div className="row">
          {run ? (
            <>
              <button onClick={() => void stop()} disabled={run.phase === 'stopping'} data-testid="train-cancel" title="Stop after the current step; the run keeps its best weights">
                {run.phase === 'stopping' ? 'Stopping…' : 'Stop'}
              </button>
              <button onClick={() => void previewNow()} disabled={run.phase !== 'training'} data-testid="train-preview-now" title="Re-predict the visible region with the current weights">
                Preview now
              </button>
            </>
          ) : (
            <button className="primary" disabled={!modelReady || problem !== null} onClick={() => void train()} data-testid="train-button" title={problem ?? ''}>
              Train on painted labels
            </button>
          )}
          <button onClick={() => void downloadModel()} disabled={!modelReady} data-testid="download-model">
            Download model
          </button>
        </div>
        <label className="inline-field small muted">
          Live preview every
          <select value={previewEvery} onChange={(e) => setPreviewEvery(Number(e.target.value))} data-testid="train-preview-every" aria-label="Live preview interval">
            {[...new Set([...PREVIEW_CHOICES, previewEvery])].sort((a, b) => a - b).map((n) => (
              <option key={n} value={n}>
                {n === 0 ? 'never (on demand)' : `${n} steps`}
              </option>
            ))}
          </select>
        </label>
        {run && <TrainProgress run={run} />}
        {(run || curve.step.length > 0) && <TrainPlot curve={curve} />}
        {!run && <TrainResult />}
      </div>
    </Section>
  );
}
