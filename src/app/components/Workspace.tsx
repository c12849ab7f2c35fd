import { useStudio } from '../../state/store';
import { EmptyState } from './EmptyState';
import { ImageList } from './ImageList';
import { ModelPanel } from './ModelPanel';
import { DisplayPanel } from './panels/DisplayPanel';
import { ExportPanel } from './panels/ExportPanel';
import { InstancesPanel } from './panels/InstancesPanel';
import { LabelsPanel } from './panels/LabelsPanel';
import { OverlaysPanel } from './panels/OverlaysPanel';
import { SegmentPanel } from './panels/SegmentPanel';
import { Viewer } from './viewer/Viewer';

/** Image list | viewer | model, segmentation, objects, labels, overlays, display and export. */
export function Workspace() {
  const hasImages = useStudio((s) => s.images.length > 0);
  return (
    <main className="workspace">
      <ImageList />
      {hasImages ? <Viewer /> : <EmptyState />}
      <aside className="panel" aria-label="Controls">
        <ModelPanel />
        <SegmentPanel />
        {hasImages && (
          <>
            <InstancesPanel />
            <OverlaysPanel />
            <LabelsPanel />
            <DisplayPanel />
          </>
        )}
        <ExportPanel />
      </aside>
    </main>
  );
}
