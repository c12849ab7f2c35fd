import { isSegmented } from '../../../state/predictions';
import { useStudio } from '../../../state/store';
import { BRUSH_SIZES, type Tool } from '../../../state/labelsSlice';
import { viewOf } from '../../../state/viewerSlice';
import { zoomLabel } from '../../../state/viewMath';
import { Icon, type IconName } from '../Icon';

const tools: readonly { tool: Tool; icon: IconName; label: string; key: string }[] = [
  { tool: 'brush', icon: 'brush', label: 'Brush', key: 'B' },
  { tool: 'eraser', icon: 'eraser', label: 'Eraser (unlabel)', key: 'E' },
  { tool: 'fill', icon: 'fill', label: 'Flood fill', key: 'G' },
  { tool: 'pan', icon: 'pan', label: 'Pan', key: 'H' },
];

/** The main action, always in reach: segment the shown image (S), or cancel the run in progress. */
function SegmentButton() {
  const id = useStudio((s) => s.selectedId);
  const running = useStudio((s) => s.segRun !== null);
  const ready = useStudio((s) => s.modelStatus === 'ready');
  const segmented = useStudio((s) => isSegmented(s, s.selectedId));
  const segment = useStudio((s) => s.segmentImages);
  const cancel = useStudio((s) => s.cancelSegmentation);
  if (running) {
    return (
      <button className="segment-btn" onClick={cancel} title="Cancel the segmentation (Esc)" data-testid="toolbar-cancel">
        <span className="spinner" aria-hidden="true" /> Cancel
      </button>
    );
  }
  return (
    <button
      className="segment-btn primary"
      disabled={!ready || !id || segmented}
      onClick={() => id && void segment([id])}
      title={segmented ? 'Already segmented with this model' : ready ? 'Segment this image (S)' : 'Waiting for the model'}
      data-testid="toolbar-segment"
    >
      <Icon name="play" /> {segmented ? 'Segmented' : 'Segment'}
    </button>
  );
}

/** Index of the listed brush size closest to `size` (the slider moves through the list, not linearly). */
function sizeIndex(size: number): number {
  let best = 0;
  BRUSH_SIZES.forEach((s, k) => {
    if (Math.abs(s - size) < Math.abs(BRUSH_SIZES[best] - size)) best = k;
  });
  return best;
}

/** Painting tools, brush size, class, undo/redo and zoom: everything the pointer needs, above the image. */
export function ViewerToolbar() {
  const tool = useStudio((s) => s.tool);
  const setTool = useStudio((s) => s.setTool);
  const brushSize = useStudio((s) => s.brushSize);
  const setBrushSize = useStudio((s) => s.setBrushSize);
  const activeClass = useStudio((s) => s.activeClass);
  const setActiveClass = useStudio((s) => s.setActiveClass);
  const classes = useStudio((s) => s.classes);
  const stats = useStudio((s) => (s.selectedId ? s.labelStats[s.selectedId] : undefined));
  const zoom = useStudio((s) => viewOf(s, s.selectedId)?.zoom ?? 1);
  const undo = useStudio((s) => s.undo);
  const redo = useStudio((s) => s.redo);
  const zoomSelected = useStudio((s) => s.zoomSelected);
  const zoomSelectedTo = useStudio((s) => s.zoomSelectedTo);
  const fit = useStudio((s) => s.fitSelected);
  const setHelpOpen = useStudio((s) => s.setHelpOpen);

  return (
    <div className="toolbar" role="toolbar" aria-label="Viewer tools">
      <div className="tool-group" role="radiogroup" aria-label="Tool">
        {tools.map((t) => (
          <button
            key={t.tool}
            className={`tool${tool === t.tool ? ' active' : ''}`}
            role="radio"
            aria-checked={tool === t.tool}
            title={`${t.label} (${t.key})`}
            aria-label={t.label}
            data-testid={`tool-${t.tool}`}
            onClick={() => setTool(t.tool)}
          >
            <Icon name={t.icon} />
          </button>
        ))}
      </div>
      <label className="brush-size" title="Brush diameter in image pixels ([ and ])">
        <input
          type="range"
          min={0}
          max={BRUSH_SIZES.length - 1}
          value={sizeIndex(brushSize)}
          onChange={(e) => setBrushSize(BRUSH_SIZES[Number(e.target.value)])}
          aria-label="Brush size"
        />
        <span className="num" data-testid="brush-size">
          {brushSize}px
        </span>
      </label>
      <div className="tool-group" role="radiogroup" aria-label="Class to paint">
        {([1, 2] as const).map((v) => (
          <button
            key={v}
            className={`class-chip${activeClass === v ? ' active' : ''}`}
            role="radio"
            aria-checked={activeClass === v}
            title={`Paint ${classes[v - 1].name} (${v})`}
            data-testid={`class-${v}`}
            onClick={() => setActiveClass(v)}
          >
            <span className="swatch" style={{ background: classes[v - 1].color }} />
            <span className="chip-name">{classes[v - 1].name}</span>
          </button>
        ))}
      </div>
      <div className="tool-group">
        <button className="tool" title="Undo (Ctrl+Z)" aria-label="Undo" data-testid="undo" disabled={!stats?.undoDepth} onClick={undo}>
          <Icon name="undo" />
        </button>
        <button className="tool" title="Redo (Ctrl+Shift+Z or Ctrl+Y)" aria-label="Redo" data-testid="redo" disabled={!stats?.redoDepth} onClick={redo}>
          <Icon name="redo" />
        </button>
      </div>
      <SegmentButton />
      <div className="tool-group push-right">
        <button className="tool zoom-step" title="Zoom out (-)" aria-label="Zoom out" onClick={() => zoomSelected(-1)}>
          <Icon name="zoomOut" />
        </button>
        <button className="zoom-label" title="Actual pixels (100 %)" data-testid="zoom-label" onClick={() => zoomSelectedTo(1)}>
          {zoomLabel(zoom)}
        </button>
        <button className="tool zoom-step" title="Zoom in (+)" aria-label="Zoom in" onClick={() => zoomSelected(1)}>
          <Icon name="zoomIn" />
        </button>
        <button className="tool" title="Fit to window (0 or F)" aria-label="Fit to window" data-testid="fit" onClick={fit}>
          <Icon name="fit" />
        </button>
        <button className="tool" title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts" data-testid="help-button" onClick={() => setHelpOpen(true)}>
          <Icon name="help" />
        </button>
      </div>
    </div>
  );
}
