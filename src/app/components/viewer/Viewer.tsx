import { useRef } from 'react';
import { useStudio } from '../../../state/store';
import { viewOf } from '../../../state/viewerSlice';
import type { LayerSet } from '../../viewer/compositor';
import { useCompositor } from '../../viewer/useCompositor';
import { useViewerInput } from '../../viewer/useViewerInput';
import { useViewerLayers } from '../../viewer/useViewerLayers';
import { CursorReadout } from './CursorReadout';
import { ObjectHighlight } from './ObjectHighlight';
import { ViewerToolbar } from './ViewerToolbar';

/** The image viewer: toolbar, canvas with layers, brush outline and cursor readout. */
export function Viewer() {
  const id = useStudio((s) => s.selectedId);
  const tool = useStudio((s) => s.tool);
  // The view as data attributes: tests map image pixels to screen points with them.
  const zoom = useStudio((s) => viewOf(s, s.selectedId)?.zoom ?? 0);
  const offsetX = useStudio((s) => viewOf(s, s.selectedId)?.x ?? 0);
  const offsetY = useStudio((s) => viewOf(s, s.selectedId)?.y ?? 0);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const surfaceRef = useRef<HTMLDivElement>(null);
  const brushRef = useRef<HTMLDivElement>(null);
  const layersRef = useRef<LayerSet | null>(null);
  const redraw = useCompositor(canvasRef, id, layersRef);
  useViewerLayers(id, layersRef, redraw);
  useViewerInput(surfaceRef, brushRef, id, layersRef, redraw);

  return (
    <section className="viewer" aria-label="Image viewer">
      <ViewerToolbar />
      <div
        className="viewer-surface"
        ref={surfaceRef}
        tabIndex={0}
        data-tool={tool}
        data-zoom={zoom}
        data-offset-x={offsetX}
        data-offset-y={offsetY}
        data-testid="viewer"
        onContextMenu={(e) => e.preventDefault()}
      >
        <canvas ref={canvasRef} className="viewer-canvas" data-testid="viewer-canvas" />
        <div ref={brushRef} className="brush-cursor" aria-hidden="true" />
        <ObjectHighlight />
        <CursorReadout />
      </div>
    </section>
  );
}
