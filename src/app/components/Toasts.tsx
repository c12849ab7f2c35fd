import { useEffect } from 'react';
import type { Toast } from '../../state/statusSlice';
import { useStudio } from '../../state/store';

/** Info and warnings fade after a while; errors stay until dismissed, so none is missed. */
const LIFETIME: Record<Toast['kind'], number | null> = { info: 6000, warning: 12000, error: null };

function ToastItem({ toast }: { readonly toast: Toast }) {
  const dismiss = useStudio((s) => s.dismissToast);
  useEffect(() => {
    const ms = LIFETIME[toast.kind];
    if (ms === null) return;
    const timer = setTimeout(() => dismiss(toast.id), ms);
    return () => clearTimeout(timer);
  }, [toast, dismiss]);
  return (
    <div className={`toast toast-${toast.kind}`} role={toast.kind === 'error' ? 'alert' : 'status'} data-testid={`toast-${toast.kind}`}>
      <span>{toast.message}</span>
      <button className="icon-button" aria-label="Dismiss" onClick={() => dismiss(toast.id)}>
        ×
      </button>
    </div>
  );
}

export function Toasts() {
  const toasts = useStudio((s) => s.toasts);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <ToastItem key={t.id} toast={t} />
      ))}
    </div>
  );
}
