import type { StateCreator } from 'zustand';
import type { StudioState } from './store';

export type ToastKind = 'info' | 'warning' | 'error';

export interface Toast {
  readonly id: number;
  readonly kind: ToastKind;
  readonly message: string;
  /** When it goes by itself (ms since the epoch), or null: it stays until dismissed. */
  readonly expiresAt: number | null;
}

/**
 * How long each kind stays: info is a passing remark, a warning needs reading, an error must not be missed,
 * so it stays until the user dismisses it.
 */
export const TOAST_LIFETIME_MS: Record<ToastKind, number | null> = { info: 6000, warning: 12000, error: null };

/** The toasts still showing at `now`. */
export function liveToasts(toasts: readonly Toast[], now: number): Toast[] {
  return toasts.filter((t) => t.expiresAt === null || t.expiresAt > now);
}

export interface StatusSlice {
  /** One line in the status bar: what the app is doing or just did. */
  statusText: string;
  toasts: Toast[];
  setStatus(text: string): void;
  /** Shows a toast; `now` is for tests (default: the clock). */
  notify(kind: ToastKind, message: string, now?: number): void;
  dismissToast(id: number): void;
  /** Drops the toasts whose time is up at `now`. */
  expireToasts(now: number): void;
}

export const initialStatusState = { statusText: 'Starting…', toasts: [] as Toast[] };

let nextToast = 1;

export const createStatusSlice: StateCreator<StudioState, [], [], StatusSlice> = (set, get) => ({
  ...initialStatusState,
  setStatus: (text) => set({ statusText: text }),
  notify: (kind, message, now = Date.now()) => {
    const lifetime = TOAST_LIFETIME_MS[kind];
    const toast: Toast = { id: nextToast++, kind, message, expiresAt: lifetime === null ? null : now + lifetime };
    // At most six at once; the oldest passing ones go first. Errors are never dropped: when only errors are
    // left, the oldest absorbs the next one (one line each), so a drop of many bad files keeps every message.
    const all = [...get().toasts, toast];
    while (all.length > 6) {
      const k = all.findIndex((t) => t.expiresAt !== null);
      if (k >= 0) {
        all.splice(k, 1);
        continue;
      }
      const [first, second] = all;
      all.splice(0, 2, { ...first, message: `${first.message}\n${second.message}` });
    }
    set({ toasts: all });
  },
  dismissToast: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
  expireToasts: (now) => {
    const live = liveToasts(get().toasts, now);
    if (live.length !== get().toasts.length) set({ toasts: live });
  },
});
