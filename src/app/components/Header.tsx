import { BackendBadge } from './BackendBadge';
import { SessionMenu } from './SessionMenu';
import { SettingsMenu } from './SettingsMenu';

export function Header() {
  return (
    <header className="header">
      <div className="brand">
        <svg viewBox="0 0 32 32" width="22" height="22" aria-hidden="true">
          <path d="M4 6v10a12 12 0 0 0 24 0V6" fill="none" stroke="currentColor" strokeWidth="4" strokeLinecap="round" />
        </svg>
        <span className="brand-name">U-Net Studio</span>
        <span className="brand-tag">microscopy segmentation, on your GPU, in your browser</span>
      </div>
      <div className="header-right">
        <SessionMenu />
        <BackendBadge />
        <SettingsMenu />
      </div>
    </header>
  );
}
