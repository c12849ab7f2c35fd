import { useStudio } from '../../state/store';

export function StatusBar() {
  const text = useStudio((s) => s.statusText);
  const info = useStudio((s) => s.backendInfo);
  const gpuEvents = useStudio((s) => s.gpuEvents);
  return (
    <footer className="statusbar" data-testid="status-bar">
      <span className="status-text" data-testid="status-text">
        {text}
      </span>
      {gpuEvents.length > 0 && (
        <span className="status-warn" data-testid="gpu-events" title={gpuEvents.join('\n')}>
          {gpuEvents.length} GPU event{gpuEvents.length === 1 ? '' : 's'}
        </span>
      )}
      {info && (
        <span className="status-right muted" data-testid="backend-reason">
          {info.reason}
        </span>
      )}
    </footer>
  );
}
