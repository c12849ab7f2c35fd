import { useEffect, useRef, useState } from 'react';
import { useStudio } from '../../state/store';
import { formatStorage } from '../formatBytes';

const statusText = {
  off: 'Session',
  restoring: 'Restoring…',
  saving: 'Saving…',
  saved: 'Saved',
  readonly: 'Read-only',
  failed: 'Not saved',
} as const;

/** The header's session button: whether the session is saved, storage used per image, remove and clear. */
export function SessionMenu() {
  const [open, setOpen] = useState(false);
  const panel = useRef<HTMLDivElement>(null);
  const status = useStudio((s) => s.persistStatus);
  const lastSaveMs = useStudio((s) => s.lastSaveMs);
  const checkpointStep = useStudio((s) => s.checkpointStep);
  const usage = useStudio((s) => s.storageUsage);
  const images = useStudio((s) => s.images);
  const refresh = useStudio((s) => s.refreshStorage);
  const remove = useStudio((s) => s.removeImage);
  const clear = useStudio((s) => s.clearSession);

  useEffect(() => {
    if (!open) return;
    void refresh();
    const close = (e: MouseEvent) => {
      if (panel.current && !panel.current.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('mousedown', close);
    return () => window.removeEventListener('mousedown', close);
  }, [open, refresh, images]);

  const onClear = () => {
    if (window.confirm('Clear the session? Every image, painted label, result and kept model is removed from this tab and from the browser\'s storage. Export first what you want to keep.')) {
      void clear();
    }
  };

  const warn = status === 'failed' || status === 'readonly';
  return (
    <div className="settings" ref={panel}>
      <button
        className={`badge session-badge${warn ? ' status-warn' : ''}`}
        aria-expanded={open}
        onClick={() => setOpen(!open)}
        data-testid="session-status"
        data-status={status}
        data-checkpoint-step={checkpointStep ?? ''}
        title={checkpointStep !== null ? `Session storage; fine-tune checkpoint saved at step ${checkpointStep}` : 'Session storage'}
      >
        {statusText[status]}
      </button>
      {open && (
        <div className="menu" role="dialog" aria-label="Session storage" data-testid="storage-menu">
          <h3>Session storage</h3>
          <p className="muted small">
            Images (their original files), painted labels, results, kept models and settings are kept in this browser (IndexedDB) and come back after a reload.
            {lastSaveMs !== null && ` Last save took ${lastSaveMs} ms.`}
          </p>
          {usage && (
            <p className="small" data-testid="storage-used" data-used={usage.used ?? ''}>
              {usage.used !== null ? `${formatStorage(usage.used)} used` : 'Usage unknown'}
              {usage.quota !== null && ` of ${formatStorage(usage.quota)} available to this site`}
              {usage.models > 0 && ` · kept models ${formatStorage(usage.models)}`}
            </p>
          )}
          <ul className="storage-list">
            {images.map((image) => (
              <li key={image.id} data-testid="storage-item" data-bytes={usage?.images[image.id] ?? ''}>
                <span className="storage-name" title={image.name}>
                  {image.name}
                </span>
                <span className="muted">{usage?.images[image.id] !== undefined ? formatStorage(usage.images[image.id]) : ''}</span>
                <button onClick={() => remove(image.id)} aria-label={`Remove ${image.name} from the session`}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
          <button onClick={onClear} disabled={status === 'readonly'} data-testid="clear-session">
            Clear session…
          </button>
        </div>
      )}
    </div>
  );
}
