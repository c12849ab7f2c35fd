import { Icon } from './Icon';

/** Shown while files are dragged over the window. */
export function DropOverlay() {
  return (
    <div className="drop-overlay" data-testid="drop-overlay" aria-hidden="true">
      <div className="drop-card">
        <Icon name="upload" size={40} />
        <strong>Drop images or folders to open them</strong>
        <span className="muted">PNG (8/16-bit) · TIFF (8/16/32-bit, multi-page, RGB) · JPEG</span>
      </div>
    </div>
  );
}
