import { useStudio } from '../../state/store';
import { Icon } from './Icon';
import { OpenButtons } from './OpenButtons';

/** What a first-time user sees before loading anything: what the app does and how to start. */
export function EmptyState() {
  const info = useStudio((s) => s.backendInfo);
  const loading = useStudio((s) => s.loading);
  return (
    <section className="viewer-empty" data-testid="empty-state">
      {info?.notice && (
        <div className="notice" role="note" data-testid="backend-notice">
          <strong>Heads up.</strong> {info.notice}
        </div>
      )}
      <div className="empty-card drop-target">
        <Icon name="upload" size={36} />
        <h1>Drop microscopy images here</h1>
        <p className="muted">
          or anywhere on this window — files or whole folders. PNG (8/16-bit), TIFF (8/16/32-bit float, multi-page, RGB) and JPEG.
        </p>
        {loading ? (
          <p>
            <span className="spinner inline" aria-hidden="true" /> Reading {loading.current}…
          </p>
        ) : (
          <OpenButtons />
        )}
        <ol className="steps">
          <li>
            <strong>Segment</strong> one image (S) or all of them with the U-Net, in a background worker on{' '}
            <strong>{info ? info.backend : '…'}</strong>.
          </li>
          <li>
            <strong>Check</strong> the mask outline, object count and probability; tune threshold and minimum size.
          </li>
          <li>
            <strong>Paint</strong> corrections (B brush, E eraser, G fill) to fine-tune the model.
          </li>
          <li>
            <strong>Export</strong> masks, 16-bit instance labels and previews as PNG, one image or all as ZIP.
          </li>
        </ol>
        <p className="muted small">Your images never leave this computer. Press ? for keyboard shortcuts.</p>
      </div>
    </section>
  );
}
