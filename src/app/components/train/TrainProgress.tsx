import { formatDuration } from '../../../state/eta';
import { useStudio } from '../../../state/store';
import type { TrainRun } from '../../../state/trainingSlice';
import type { ValidationScore } from '../../../worker/protocol';

/** Step, loss, speed, ETA and the last live preview of the running fine-tune. */
export function TrainProgress({ run }: { readonly run: TrainRun }) {
  const stepsPerS = run.msPerStep > 0 ? 1000 / run.msPerStep : 0;
  return (
    <div className="small train-progress" data-testid="train-progress" data-step={run.step} data-phase={run.phase} data-preview-step={run.previewStep ?? ''}>
      <progress value={run.step} max={run.steps} />
      {run.phase === 'waiting' ? (
        <span className="muted">Waiting for the worker to finish its current job…</span>
      ) : (
        <span>
          step {run.step}/{run.steps} · loss {Number.isFinite(run.loss) ? run.loss.toFixed(4) : '…'} · {stepsPerS > 0 ? `${stepsPerS.toFixed(2)} steps/s` : '…'}
          {run.step > 0 && ` · ${formatDuration(run.etaMs)} left`}
          {run.labelledPixels > 0 && ` · ${run.labelledPixels.toLocaleString()} labelled px/step`}
        </span>
      )}
      <span className="muted">
        {' '}
        {run.images} image{run.images === 1 ? '' : 's'}
        {run.previewStep !== null ? ` · preview of step ${run.previewStep}` : ''}
      </span>
    </div>
  );
}

function score(s: ValidationScore | null): string {
  return s ? `accuracy ${s.pixelAccuracy.toFixed(3)}, IoU ${s.foregroundIou.toFixed(3)}, loss ${s.loss.toFixed(3)}` : '–';
}

/** What the last run kept: its model, steps, validation before and after, and the trainer's message. */
export function TrainResult() {
  const last = useStudio((s) => s.lastTuning);
  if (!last) return null;
  const r = last.record;
  return (
    <div className={`train-result small${r.kept === 'start' ? ' warn-text' : ''}`} data-testid="train-result" data-kept={r.kept} data-steps={r.steps} data-model-id={last.modelId}>
      <p>
        <b>{last.name}</b>: {r.message}
      </p>
      <p className="muted">
        {r.steps}
        {r.steps !== r.requestedSteps ? ` of ${r.requestedSteps}` : ''} steps{r.aborted ? ' (stopped)' : r.stoppedEarly ? ' (stopped early: validation stopped improving)' : ''}, kept step {r.bestStep} ·{' '}
        {r.images} image{r.images === 1 ? '' : 's'}
      </p>
      {r.before && r.after ? (
        <p className="muted" data-testid="train-validation">
          held out, before: {score(r.before)}
          <br />
          held out, kept: {score(r.after)}
        </p>
      ) : (
        <p className="muted">No labels were held out, so nothing checked that the model got better.</p>
      )}
    </div>
  );
}
