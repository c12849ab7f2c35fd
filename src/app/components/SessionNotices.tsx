import { useStudio } from '../../state/store';

/**
 * What the stored session needs the user to know, kept in view until it no longer applies: storage full
 * or refused, a second tab, and the offer to resume an interrupted fine-tune. Never modal: work goes on.
 */
export function SessionNotices() {
  const status = useStudio((s) => s.persistStatus);
  const message = useStudio((s) => s.persistMessage);
  const offer = useStudio((s) => s.resumeOffer);
  const training = useStudio((s) => s.trainRun !== null);
  const modelReady = useStudio((s) => s.modelStatus === 'ready');
  const resume = useStudio((s) => s.resumeFromCheckpoint);
  const retry = useStudio((s) => s.retrySaving);
  const problem = useStudio((s) => s.persistProblem);
  const discard = useStudio((s) => s.discardCheckpoint);
  return (
    <>
      {message && (status === 'failed' || status === 'readonly') && (
        <div className="notice session-notice small" role="status" data-testid="persist-notice" data-status={status}>
          <p>{message}</p>
          {status === 'failed' && problem === 'quota' && (
            <button onClick={() => void retry()} data-testid="retry-saving">
              Save again
            </button>
          )}
        </div>
      )}
      {offer && (
        <div className="notice session-notice small" role="status" data-testid="resume-offer" data-step={offer.step}>
          <p>
            A fine-tune of {offer.parentName} ("{offer.name}") was interrupted by a reload at step {offer.step} or later of {offer.requestedSteps}.
          </p>
          <div className="row">
            <button className="primary" disabled={training || !modelReady} onClick={() => void resume()} data-testid="resume-training">
              Resume fine-tuning from the best checkpoint (step {offer.step})
            </button>
            <button onClick={() => void discard()} data-testid="discard-checkpoint">
              Discard
            </button>
          </div>
        </div>
      )}
    </>
  );
}
