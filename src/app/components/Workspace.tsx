import { useStudio } from '../../state/store';
import { EmptyState } from './EmptyState';
import { ErrorBoundary } from './ErrorBoundary';
import { ImageList } from './ImageList';
import { ModelPanel } from './ModelPanel';
import { SessionNotices } from './SessionNotices';
import { DisplayPanel } from './panels/DisplayPanel';
import { EvaluationPanel } from './panels/EvaluationPanel';
import { ExportPanel } from './panels/ExportPanel';
import { InstancesPanel } from './panels/InstancesPanel';
import { LabelsPanel } from './panels/LabelsPanel';
import { MeasurementsPanel } from './panels/MeasurementsPanel';
import { OverlaysPanel } from './panels/OverlaysPanel';
import { SegmentPanel } from './panels/SegmentPanel';
import { TrainPanel } from './TrainPanel';
import { Viewer } from './viewer/Viewer';

/**
 * Left: images, then how they look (overlays, display contrast). Centre: the viewer. Right: what is done
 * to them (model, segmentation, objects, painted labels, fine-tuning, export).
 */
export function Workspace() {
  const hasImages = useStudio((s) => s.images.length > 0);
  return (
    <main className="workspace">
      <aside className="sidebar" aria-label="Images and display">
        <SessionNotices />
        <ErrorBoundary area="the image list">
          <ImageList />
        </ErrorBoundary>
        {hasImages && (
          <div className="sidebar-bottom">
            <ErrorBoundary area="the overlay settings">
              <OverlaysPanel />
            </ErrorBoundary>
            <ErrorBoundary area="the display settings">
              <DisplayPanel />
            </ErrorBoundary>
          </div>
        )}
      </aside>
      <ErrorBoundary area="the viewer">{hasImages ? <Viewer /> : <EmptyState />}</ErrorBoundary>
      <aside className="panel" aria-label="Controls">
        <ErrorBoundary area="the model panel">
          <ModelPanel />
        </ErrorBoundary>
        <ErrorBoundary area="the segmentation controls">
          <SegmentPanel />
          {hasImages && (
            <>
              <InstancesPanel />
              <MeasurementsPanel />
              <EvaluationPanel />
              <LabelsPanel />
            </>
          )}
        </ErrorBoundary>
        {hasImages && (
          <ErrorBoundary area="the training controls">
            <TrainPanel />
          </ErrorBoundary>
        )}
        <ErrorBoundary area="the export controls">
          <ExportPanel />
        </ErrorBoundary>
      </aside>
    </main>
  );
}
