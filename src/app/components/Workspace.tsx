import { useStudio } from '../../state/store';

/** The main area. Until images are loaded it explains what the app does and what the backend is. */
export function Workspace() {
  const info = useStudio((s) => s.backendInfo);
  return (
    <main className="workspace">
      <aside className="sidebar">
        <h2>Images</h2>
        <p className="muted small">No images yet.</p>
      </aside>
      <section className="viewer-empty">
        {info?.notice && (
          <div className="notice" role="note" data-testid="backend-notice">
            <strong>Heads up.</strong> {info.notice}
          </div>
        )}
        <div className="empty-card">
          <h1>Segment microscopy images with a U-Net</h1>
          <p>
            Images stay on this computer. The model runs in a background worker on{' '}
            <strong>{info ? info.backend : '…'}</strong>.
          </p>
          <ol className="steps">
            <li>Load images (PNG, TIFF 8/16/32-bit, JPEG)</li>
            <li>Segment with the nuclei or EM model</li>
            <li>Paint corrections and fine-tune</li>
            <li>Export masks as PNG</li>
          </ol>
        </div>
      </section>
      <aside className="panel">
        <h2>Model</h2>
        <p className="muted small">Default: nuclei (fluorescence).</p>
      </aside>
    </main>
  );
}
