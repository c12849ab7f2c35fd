import { formatDuration } from '../../state/eta';
import { useStudio } from '../../state/store';
import { formatBytes } from '../formatBytes';
import { useCountdown } from '../hooks/useCountdown';


/** What the app is doing, the segmentation progress, the last tile geometry, and the backend's reason. */
export function StatusBar() {
  const text = useStudio((s) => s.statusText);
  const info = useStudio((s) => s.backendInfo);
  const gpuEvents = useStudio((s) => s.gpuEvents);
  const run = useStudio((s) => s.segRun);
  const tile = useStudio((s) => s.lastTile);
  const etaMs = useCountdown(run?.etaMs ?? null);
  return (
    <footer className="statusbar" data-testid="status-bar">
      <span className="status-text" data-testid="status-text">
        {text}
      </span>
      {run && (
        <span className="status-run" data-testid="status-run">
          image {run.index}/{run.count}
          {run.tilesTotal > 0 && ` · tile ${run.tilesDone}/${run.tilesTotal}`}
          {etaMs !== null && ` · ${formatDuration(etaMs)} left`}
        </span>
      )}
      {tile && (
        <span className="status-tile muted" data-testid="status-tile" title="Tile geometry the memory-budget chooser picked for the last segmentation">
          tile {tile.inputWidth}×{tile.inputHeight}→{tile.outputWidth}×{tile.outputHeight} px · batch {tile.batch} · {tile.tiles} tile{tile.tiles === 1 ? '' : 's'} · {formatBytes(tile.estimateBytes)} of{' '}
          {formatBytes(tile.budgetBytes)}
          {tile.backoffs > 0 && ` · halved ${tile.backoffs}×`}
        </span>
      )}
      {gpuEvents.length > 0 && (
        <span className="status-warn" data-testid="gpu-events" title={gpuEvents.join('\n')}>
          {gpuEvents.length} GPU event{gpuEvents.length === 1 ? '' : 's'}
        </span>
      )}
      {info && (
        <span className="status-right muted" data-testid="backend-reason" title={info.reason}>
          {info.reason}
        </span>
      )}
    </footer>
  );
}
