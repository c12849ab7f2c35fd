import type { StateCreator } from 'zustand';
import type { StudioState } from './store';

export type ToastKind = 'info' | 'warning' | 'error';

export interface Toast {
  readonly id: number;
  readonly kind: ToastKind;
  readonly message: string;
}

export interface StatusSlice {
  /** One line in the status bar: what the app is doing or just did. */
  statusText: string;
  toasts: Toast[];
  setStatus(text: string): void;
  notify(kind: ToastKind, message: string): void;
  dismissToast(id: number): void;
}

export const initialStatusState = { statusText: 'Starting…', toasts: [] as Toast[] };

let nextToast = 1;

export const createStatusSlice: StateCreator<StudioState, [], [], StatusSlice> = (set) => ({
  ...initialStatusState,
  setStatus: (text) => set({ statusText: text }),
  notify: (kind, message) => set((s) => ({ toasts: [...s.toasts, { id: nextToast++, kind, message }].slice(-6) })),
  dismissToast: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
});
