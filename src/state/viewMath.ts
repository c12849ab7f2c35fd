/**
 * Pan/zoom geometry of the viewer. A view maps image coordinates to CSS pixels of the viewport:
 * screen = offset + image * zoom. Image pixel (i, j) covers [i, i+1) x [j, j+1).
 */

/** The viewer's transform: `zoom` screen px per image px, image origin at (x, y) in the viewport. */
export interface View {
  readonly zoom: number;
  readonly x: number;
  readonly y: number;
}

/** A rectangle in pixels (image or screen). */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export const MIN_ZOOM = 1 / 64;
export const MAX_ZOOM = 64;

/** Zoom levels that +/- step through (like Fiji: round numbers, never odd percentages). */
export const ZOOM_STEPS: readonly number[] = [
  1 / 64, 1 / 48, 1 / 32, 1 / 24, 1 / 16, 1 / 12, 1 / 8, 1 / 6, 1 / 4, 1 / 3, 1 / 2, 2 / 3, 1, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64,
];

export function clampZoom(zoom: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
}

/** Scales by `factor` keeping the image point under the screen point (sx, sy) fixed. */
export function zoomAround(view: View, factor: number, sx: number, sy: number): View {
  return zoomTo(view, view.zoom * factor, sx, sy);
}

/** Sets the zoom, keeping the image point under (sx, sy) fixed. */
export function zoomTo(view: View, zoom: number, sx: number, sy: number): View {
  const z = clampZoom(zoom);
  const ix = (sx - view.x) / view.zoom;
  const iy = (sy - view.y) / view.zoom;
  return { zoom: z, x: sx - ix * z, y: sy - iy * z };
}

/** The next zoom level above (dir 1) or below (dir -1) the current zoom. */
export function stepZoom(zoom: number, dir: 1 | -1): number {
  const eps = 1e-6;
  if (dir > 0) return ZOOM_STEPS.find((z) => z > zoom * (1 + eps)) ?? MAX_ZOOM;
  for (let k = ZOOM_STEPS.length - 1; k >= 0; k--) if (ZOOM_STEPS[k] < zoom * (1 - eps)) return ZOOM_STEPS[k];
  return MIN_ZOOM;
}

/** The whole image centred in the viewport with `margin` CSS px around it. */
export function fitView(imageWidth: number, imageHeight: number, viewportWidth: number, viewportHeight: number, margin = 16): View {
  const availW = Math.max(1, viewportWidth - 2 * margin);
  const availH = Math.max(1, viewportHeight - 2 * margin);
  const zoom = clampZoom(Math.min(availW / imageWidth, availH / imageHeight));
  return { zoom, x: (viewportWidth - imageWidth * zoom) / 2, y: (viewportHeight - imageHeight * zoom) / 2 };
}

/**
 * A view that centres image rectangle `box` in the viewport, zoomed so that it spans about a third of
 * the viewport (never beyond 800 %: a few-pixel object needs its surroundings to be found again).
 */
export function focusView(box: Box, viewportWidth: number, viewportHeight: number): View {
  const zoom = clampZoom(Math.min(8, viewportWidth / (3 * Math.max(1, box.width)), viewportHeight / (3 * Math.max(1, box.height))));
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  return { zoom, x: viewportWidth / 2 - cx * zoom, y: viewportHeight / 2 - cy * zoom };
}

/** Continuous image coordinates of a viewport point. */
export function screenToImage(view: View, sx: number, sy: number): { x: number; y: number } {
  return { x: (sx - view.x) / view.zoom, y: (sy - view.y) / view.zoom };
}

/** Viewport box of an image rectangle. */
export function imageBoxToScreen(view: View, box: Box): Box {
  return { x: view.x + box.x * view.zoom, y: view.y + box.y * view.zoom, width: box.width * view.zoom, height: box.height * view.zoom };
}

/** The image pixels visible in the viewport (whole pixels, clipped to the image; may be empty). */
export function visibleImageBox(view: View, viewportWidth: number, viewportHeight: number, imageWidth: number, imageHeight: number): Box {
  const a = screenToImage(view, 0, 0);
  const b = screenToImage(view, viewportWidth, viewportHeight);
  const x0 = Math.max(0, Math.floor(a.x));
  const y0 = Math.max(0, Math.floor(a.y));
  const x1 = Math.min(imageWidth, Math.ceil(b.x));
  const y1 = Math.min(imageHeight, Math.ceil(b.y));
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}

/** Pans by a screen delta. */
export function panBy(view: View, dx: number, dy: number): View {
  return { zoom: view.zoom, x: view.x + dx, y: view.y + dy };
}

/** Zoom as a percentage label ("100%", "12.5%", "1600%"). */
export function zoomLabel(zoom: number): string {
  const pct = zoom * 100;
  return `${pct >= 10 ? Math.round(pct) : Number(pct.toPrecision(2))}%`;
}

/** What the zoom needs of a wheel event (a WheelEvent fits). */
export interface WheelInput {
  readonly deltaY: number;
  /** 0 pixels, 1 lines, 2 pages (WheelEvent.deltaMode). */
  readonly deltaMode: number;
  /** Set by browsers on a trackpad pinch (and on Ctrl+wheel). */
  readonly ctrlKey: boolean;
}

/** Pixels per line and per page of line- and page-mode wheels, as browsers scroll them. */
const LINE_PX = 40;
const PAGE_PX = 800;
/** ln(zoom factor) per pixel of delta: a mouse notch (100 px) zooms ~14%, a pinch follows the fingers. */
const WHEEL_RATE = 0.0013;
const PINCH_RATE = 0.01;
/** The most one event may zoom (ln): fast flicks and coarse wheels stay controllable. */
const MAX_STEP = Math.log(1.25);

/**
 * Zoom factor of one wheel event: proportional to the delta (many small trackpad deltas give small steps,
 * a notch of a mouse wheel a larger one), clamped per event; scrolling down zooms out.
 */
export function wheelZoomFactor(e: WheelInput): number {
  const px = e.deltaMode === 1 ? e.deltaY * LINE_PX : e.deltaMode === 2 ? e.deltaY * PAGE_PX : e.deltaY;
  const step = -px * (e.ctrlKey ? PINCH_RATE : WHEEL_RATE);
  return Math.exp(Math.max(-MAX_STEP, Math.min(MAX_STEP, step)));
}
