import { formatDuration } from '../../../state/eta';
import { useStudio } from '../../../state/store';
import { useCountdown } from '../../hooks/useCountdown';
import { Icon } from '../Icon';
import { ObjectScaleControl } from './ObjectScaleControl';
import { Section } from './Section';

/** Segment the current image or all images, with progress and cancel; channel choice for colour images. */
export function SegmentPanel() {
  const images = useStudio((s) => s.images);
  const selectedId = useStudio((s) => s.selectedId);
  const run = useStudio((s) => s.segRun);
  const etaMs = useCountdown(run?.etaMs ?? null);
  const modelReady = useStudio((s) => s.modelStatus === 'ready');
  const segmentImages = useStudio((s) => s.segmentImages);
  const cancel = useStudio((s) => s.cancelSegmentation);
  const setChannel = useStudio((s) => s.setChannel);
  const image = images.find((i) => i.id === selectedId);
  const disabled = !modelReady || images.length === 0 || run !== null;
  const fraction = run ? (run.index - 1 + (run.tilesTotal > 0 ? run.tilesDone / run.tilesTotal : 0)) / run.count : 0;

  return (
    <Section title="Segment" testId="segment-panel">
      <div className="row">
        <button className="primary grow" disabled={disabled || !image} onClick={() => image && void segmentImages([image.id])} data-testid="segment-current" title="Segment the shown image (S)">
          <Icon name="play" /> Segment image
        </button>
        <button disabled={disabled} onClick={() => void segmentImages(images.map((i) => i.id))} data-testid="segment-all" title="Segment every image in the list (Shift+S)">
          All ({images.length})
        </button>
      </div>
      {!modelReady && images.length > 0 && <p className="muted small">Waiting for the model to load…</p>}
      <ObjectScaleControl />
      {run && (
        <div className="progress-block" data-testid="segment-progress" data-index={run.index} data-count={run.count}>
          <div className="row between small">
            <span>
              Image {run.index} of {run.count}
              {run.tilesTotal > 0 && ` · tile ${run.tilesDone}/${run.tilesTotal}`}
            </span>
            <span className="muted">{etaMs !== null ? `ETA ${formatDuration(etaMs)}` : 'estimating…'}</span>
          </div>
          <progress value={fraction} max={1} />
          <div className="row between small">
            <span className="muted ellipsis">{run.name}</span>
            <button onClick={cancel} data-testid="segment-cancel" title="Stop after the current tile (Esc)">
              <Icon name="stop" /> Cancel
            </button>
          </div>
        </div>
      )}
      {image && image.channels > 1 && (
        <label className="field small">
          <span className="muted">Model input from this colour image</span>
          <select
            value={String(image.channel)}
            onChange={(e) => setChannel(image.id, e.target.value === 'mean' ? 'mean' : Number(e.target.value))}
            data-testid="channel-select"
          >
            <option value="mean">Mean of the colour channels</option>
            {['red', 'green', 'blue', 'alpha'].slice(0, image.channels).map((c, k) => (
              <option key={c} value={k}>
                Channel {k + 1} ({c})
              </option>
            ))}
          </select>
        </label>
      )}
    </Section>
  );
}
