import { useEffect } from 'react';
import type { Toast } from '../../state/statusSlice';
import { useStudio } from '../../state/store';

function ToastItem({ toast }: { readonly toast: Toast }) {
  const dismiss = useStudio((s) => s.dismissToast);
  return (
    <div className={`toast toast-${toast.kind}`} role={toast.kind === 'error' ? 'alert' : 'status'} data-testid={`toast-${toast.kind}`}>
      <span>{toast.message}</span>
      <button className="icon-button" aria-label="Dismiss" onClick={() => dismiss(toast.id)}>
        ×
      </button>
    </div>
  );
}

/**
 * Messages at the foot of the viewer column, above the status bar: no panel control is ever under them
 * (styles.css). Info and warnings go by themselves when their time is up; errors stay until dismissed.
 */
export function Toasts() {
  const toasts = useStudio((s) => s.toasts);
  const expire = useStudio((s) => s.expireToasts);
  const next = toasts.reduce<number | null>((soonest, t) => (t.expiresAt !== null && (soonest === null || t.expiresAt < soonest) ? t.expiresAt : soonest), null);
  useEffect(() => {
    if (next === null) return;
    const timer = setTimeout(() => expire(Date.now()), Math.max(0, next - Date.now()));
    return () => clearTimeout(timer);
  }, [next, expire]);
  return (
    <div className="toasts" aria-live="polite" data-testid="toasts">
      {toasts.map((t) => (
        <ToastItem key={t.id} toast={t} />
      ))}
    </div>
  );
}
