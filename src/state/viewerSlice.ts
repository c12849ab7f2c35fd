import type { StateCreator } from 'zustand';
import { autoRange, dataRange, type DisplayChannel, type DisplayRange } from '../image/display';
import { getPixels } from './pixels';
import type { StudioState } from './store';
import { fitView, stepZoom, zoomTo, type View } from './viewMath';

export type OverlayKind = 'probability' | 'outline' | 'instances' | 'labels';
export const overlayKinds: readonly OverlayKind[] = ['probability', 'outline', 'instances', 'labels'];

export interface OverlayState {
  readonly visible: boolean;
  /** 0..1 */
  readonly opacity: number;
}

/** Display contrast of one image: what the viewer shows, never what the model reads. */
export interface DisplayState {
  readonly range: DisplayRange;
  /** True while the range follows the auto percentiles. */
  readonly auto: boolean;
  readonly invert: boolean;
  readonly channel: DisplayChannel;
  /** Smallest and largest value in the data: the ends of the min/max sliders. */
  readonly bounds: DisplayRange;
}

/** What is under the cursor. */
export interface CursorInfo {
  readonly x: number;
  readonly y: number;
  /** Raw value(s): one number, or "r, g, b" for colour images. */
  readonly value: string;
  readonly probability: number | null;
  readonly instance: number | null;
  readonly label: 0 | 1 | 2 | null;
}

export interface ViewerSlice {
  /** Pan/zoom per image, so going back to an image keeps its view. */
  views: Record<string, View>;
  viewport: { readonly width: number; readonly height: number };
  display: Record<string, DisplayState>;
  overlays: Record<OverlayKind, OverlayState>;
  cursor: CursorInfo | null;
  helpOpen: boolean;
  initDisplay(id: string): void;
  setDisplay(id: string, change: Partial<Omit<DisplayState, 'bounds'>>): void;
  /** Back to auto contrast (0.1 / 99.9 percentiles). */
  autoContrast(id: string): void;
  setView(id: string, view: View): void;
  /** Fits the selected image to the viewport. */
  fitSelected(): void;
  /** Next zoom step in (1) or out (-1), about a viewport point (default its centre). */
  zoomSelected(dir: 1 | -1, at?: { x: number; y: number }): void;
  /** Sets an exact zoom (1 = 100 %) about the viewport centre. */
  zoomSelectedTo(zoom: number): void;
  setViewport(width: number, height: number): void;
  setOverlay(kind: OverlayKind, change: Partial<OverlayState>): void;
  toggleOverlay(kind: OverlayKind): void;
  setCursor(cursor: CursorInfo | null): void;
  setHelpOpen(open: boolean): void;
}

export const initialViewerState = {
  views: {} as Record<string, View>,
  viewport: { width: 800, height: 600 },
  display: {} as Record<string, DisplayState>,
  overlays: {
    probability: { visible: true, opacity: 0.5 },
    outline: { visible: true, opacity: 1 },
    instances: { visible: false, opacity: 0.45 },
    labels: { visible: true, opacity: 0.6 },
  } as Record<OverlayKind, OverlayState>,
  cursor: null as CursorInfo | null,
  helpOpen: false,
};

/** The view of image `id`: the stored one, or fitted to the viewport until the user pans or zooms. */
export function viewOf(state: Pick<StudioState, 'views' | 'images' | 'viewport'>, id: string | null): View | null {
  const image = state.images.find((i) => i.id === id);
  if (!image) return null;
  return state.views[image.id] ?? fitView(image.width, image.height, state.viewport.width, state.viewport.height);
}

function defaultChannel(channels: number): DisplayChannel {
  return channels >= 3 ? 'rgb' : 0;
}

/** autoRange/dataRange take one channel or the mean; 'rgb' contrast uses the mean of the colours. */
function statsChannel(channel: DisplayChannel): number | 'mean' {
  return channel === 'rgb' ? 'mean' : channel;
}

export const createViewerSlice: StateCreator<StudioState, [], [], ViewerSlice> = (set, get) => {
  const selectedView = (): { id: string; view: View } | null => {
    const id = get().selectedId;
    const view = viewOf(get(), id);
    return id && view ? { id, view } : null;
  };

  return {
    ...initialViewerState,

    initDisplay(id) {
      const px = getPixels(id);
      if (!px) return;
      const channel = defaultChannel(px.raster.channels);
      const stats = statsChannel(channel);
      const state: DisplayState = { range: autoRange(px.raster, stats), auto: true, invert: false, channel, bounds: dataRange(px.raster, stats) };
      set((s) => ({ display: { ...s.display, [id]: state } }));
    },

    setDisplay(id, change) {
      const px = getPixels(id);
      const current = get().display[id];
      if (!px || !current) return;
      let next: DisplayState = { ...current, ...change };
      if (change.channel !== undefined && change.channel !== current.channel) {
        const stats = statsChannel(change.channel);
        next = { ...next, bounds: dataRange(px.raster, stats), range: next.auto ? autoRange(px.raster, stats) : next.range };
      }
      set((s) => ({ display: { ...s.display, [id]: next } }));
    },

    autoContrast(id) {
      const px = getPixels(id);
      const current = get().display[id];
      if (!px || !current) return;
      set((s) => ({ display: { ...s.display, [id]: { ...current, auto: true, range: autoRange(px.raster, statsChannel(current.channel)) } } }));
    },

    setView(id, view) {
      set((s) => ({ views: { ...s.views, [id]: view } }));
    },

    fitSelected() {
      const { selectedId, images, viewport } = get();
      const image = images.find((i) => i.id === selectedId);
      if (image) get().setView(image.id, fitView(image.width, image.height, viewport.width, viewport.height));
    },

    zoomSelected(dir, at) {
      const current = selectedView();
      if (!current) return;
      const { width, height } = get().viewport;
      const p = at ?? { x: width / 2, y: height / 2 };
      get().setView(current.id, zoomTo(current.view, stepZoom(current.view.zoom, dir), p.x, p.y));
    },

    zoomSelectedTo(zoom) {
      const current = selectedView();
      if (!current) return;
      const { width, height } = get().viewport;
      get().setView(current.id, zoomTo(current.view, zoom, width / 2, height / 2));
    },

    setViewport(width, height) {
      const old = get().viewport;
      if (old.width === width && old.height === height) return;
      // Keep the image centre where it was relative to the viewport centre.
      const dx = (width - old.width) / 2;
      const dy = (height - old.height) / 2;
      const views: Record<string, View> = {};
      for (const [id, v] of Object.entries(get().views)) views[id] = { zoom: v.zoom, x: v.x + dx, y: v.y + dy };
      set({ viewport: { width, height }, views });
    },

    setOverlay(kind, change) {
      set((s) => ({ overlays: { ...s.overlays, [kind]: { ...s.overlays[kind], ...change } } }));
    },

    toggleOverlay(kind) {
      set((s) => ({ overlays: { ...s.overlays, [kind]: { ...s.overlays[kind], visible: !s.overlays[kind].visible } } }));
    },

    setCursor(cursor) {
      set({ cursor });
    },

    setHelpOpen(open) {
      set({ helpOpen: open });
    },
  };
};
