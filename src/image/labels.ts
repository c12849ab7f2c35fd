/**
 * The painted-label model. A label canvas is one byte per pixel in the partial label format, the same
 * as the saved NAME_painted.png: 0 = unlabelled (ignored by training), 1 = background, 2 = foreground.
 * Every operation touches only a bounding rectangle and returns it, so the viewer redraws and the
 * undo history stores just that rectangle (history.ts). Operations accept an optional `beforeWrite`
 * callback, called once with the rectangle about to change before any pixel is written: pass
 * Stroke.extend from history.ts to record undo data.
 */

/** Not labelled: ignored by training (weight 0). */
export const UNLABELLED = 0;
/** Painted background. */
export const BACKGROUND = 1;
/** Painted foreground (object). */
export const FOREGROUND = 2;

/** A partial label value. */
export type LabelValue = 0 | 1 | 2;

/** Painted labels of one image (width x height bytes, row-major). */
export interface LabelCanvas {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** An axis-aligned pixel rectangle; width or height 0 means nothing was touched. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Called with the rectangle an operation is about to modify, before it writes. */
export type BeforeWrite = (rect: Rect) => void;

/** The rectangle of an operation that touched nothing. */
export const EMPTY_RECT: Rect = { x: 0, y: 0, width: 0, height: 0 };

/** A fresh, fully unlabelled canvas. */
export function createLabelCanvas(width: number, height: number): LabelCanvas {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`invalid label canvas size ${width}x${height}`);
  }
  return { width, height, data: new Uint8Array(width * height) };
}

/** True when the rectangle covers no pixel. */
export function isEmptyRect(r: Rect): boolean {
  return r.width <= 0 || r.height <= 0;
}

/** Smallest rectangle containing both (an empty one is ignored). */
export function unionRect(a: Rect, b: Rect): Rect {
  if (isEmptyRect(a)) return b;
  if (isEmptyRect(b)) return a;
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

/** The part of `r` inside a width x height image. */
export function clipRect(r: Rect, width: number, height: number): Rect {
  const x0 = Math.max(0, r.x);
  const y0 = Math.max(0, r.y);
  const x1 = Math.min(width, r.x + r.width);
  const y1 = Math.min(height, r.y + r.height);
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : EMPTY_RECT;
}

function checkValue(value: number): void {
  if (value !== 0 && value !== 1 && value !== 2) throw new RangeError(`label value ${value} is not 0, 1 or 2`);
}

/**
 * Pixels a round brush of `radius` touches along the segment (x0,y0)-(x1,y1), clipped to the image.
 * Coordinates are continuous image coordinates: pixel (i, j) spans [i, i+1) x [j, j+1).
 */
export function brushRect(x0: number, y0: number, x1: number, y1: number, radius: number, width: number, height: number): Rect {
  const r = Math.max(radius, 0.5);
  // Pixels whose centre (i + 0.5) can be within r of the segment; the end-point pixels lie inside too.
  const left = Math.ceil(Math.min(x0, x1) - r - 0.5);
  const top = Math.ceil(Math.min(y0, y1) - r - 0.5);
  const right = Math.floor(Math.max(x0, x1) + r - 0.5);
  const bottom = Math.floor(Math.max(y0, y1) + r - 0.5);
  return clipRect({ x: left, y: top, width: right - left + 1, height: bottom - top + 1 }, width, height);
}

/**
 * Paints a capsule (round brush dragged from (x0,y0) to (x1,y1)) with `value`; value 0 is the eraser.
 * A pixel is painted when its centre lies within `radius` (at least 0.5) of the segment; the pixels
 * under both end points are always painted, so a 1-px brush never skips the pixel under the cursor.
 * A brush of diameter d pixels is radius d / 2.
 * @returns the rectangle that was examined (a superset of the changed pixels).
 */
export function paintSegment(
  canvas: LabelCanvas,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  radius: number,
  value: LabelValue,
  beforeWrite?: BeforeWrite,
): Rect {
  checkValue(value);
  const { width, height, data } = canvas;
  const rect = brushRect(x0, y0, x1, y1, radius, width, height);
  if (isEmptyRect(rect)) return rect;
  beforeWrite?.(rect);
  const r = Math.max(radius, 0.5);
  const r2 = r * r;
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len2 = dx * dx + dy * dy;
  for (let y = rect.y; y < rect.y + rect.height; y++) {
    const cy = y + 0.5;
    for (let x = rect.x; x < rect.x + rect.width; x++) {
      const cx = x + 0.5;
      // Distance from the pixel centre to the closest point of the segment.
      const t = len2 > 0 ? Math.min(1, Math.max(0, ((cx - x0) * dx + (cy - y0) * dy) / len2)) : 0;
      const ex = cx - (x0 + t * dx);
      const ey = cy - (y0 + t * dy);
      if (ex * ex + ey * ey <= r2) data[y * width + x] = value;
    }
  }
  for (const [px, py] of [[x0, y0], [x1, y1]]) {
    const ix = Math.floor(px);
    const iy = Math.floor(py);
    if (ix >= 0 && iy >= 0 && ix < width && iy < height) data[iy * width + ix] = value;
  }
  return rect;
}

/**
 * Flood fill: the region of pixels connected to (x, y) (4-connectivity by default) that share the
 * seed's label value becomes `value`. Two passes: the region is found and measured first, then
 * `beforeWrite` is told the rectangle, then pixels are written.
 * @returns the bounding rectangle of the filled region (empty if nothing changed).
 */
export function floodFill(
  canvas: LabelCanvas,
  x: number,
  y: number,
  value: LabelValue,
  beforeWrite?: BeforeWrite,
  connectivity: 4 | 8 = 4,
): Rect {
  checkValue(value);
  const { width, height, data } = canvas;
  const sx = Math.floor(x);
  const sy = Math.floor(y);
  if (sx < 0 || sy < 0 || sx >= width || sy >= height) return EMPTY_RECT;
  const target = data[sy * width + sx];
  if (target === value) return EMPTY_RECT;
  // Scanline fill collecting runs [row, x0, x1]. Found pixels are marked with a sentinel (255) so
  // they are not revisited, then restored before beforeWrite so it sees the canvas unchanged.
  const MARK = 255;
  const runs: number[] = [];
  const stack: number[] = [sx, sy];
  let minX = sx;
  let maxX = sx;
  let minY = sy;
  let maxY = sy;
  const reach = connectivity === 8 ? 1 : 0;
  while (stack.length > 0) {
    const cy = stack.pop()!;
    const cx = stack.pop()!;
    const row = cy * width;
    if (data[row + cx] !== target) continue;
    let a = cx;
    let b = cx;
    while (a > 0 && data[row + a - 1] === target) a--;
    while (b < width - 1 && data[row + b + 1] === target) b++;
    data.fill(MARK, row + a, row + b + 1);
    runs.push(cy, a, b);
    if (a < minX) minX = a;
    if (b > maxX) maxX = b;
    if (cy < minY) minY = cy;
    if (cy > maxY) maxY = cy;
    for (const ny of [cy - 1, cy + 1]) {
      if (ny < 0 || ny >= height) continue;
      const nrow = ny * width;
      const from = Math.max(0, a - reach);
      const to = Math.min(width - 1, b + reach);
      for (let nx = from; nx <= to; nx++) {
        // Push one seed per run of target pixels in the neighbouring row.
        if (data[nrow + nx] === target && (nx === from || data[nrow + nx - 1] !== target)) stack.push(nx, ny);
      }
    }
  }
  for (let k = 0; k < runs.length; k += 3) data.fill(target, runs[k] * width + runs[k + 1], runs[k] * width + runs[k + 2] + 1);
  const rect: Rect = { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
  beforeWrite?.(rect);
  for (let k = 0; k < runs.length; k += 3) data.fill(value, runs[k] * width + runs[k + 1], runs[k] * width + runs[k + 2] + 1);
  return rect;
}

/** Options of {@link acceptPrediction}. */
export interface AcceptOptions {
  /** Probability at or above which a pixel becomes foreground; default 0.5. */
  readonly threshold?: number;
  /** Limit to this rectangle (clipped); default the whole image. */
  readonly rect?: Rect;
  /** Only fill unlabelled pixels, keeping what the user painted; default false (overwrite). */
  readonly onlyUnlabelled?: boolean;
}

/**
 * "Accept prediction as labels": probability >= threshold becomes foreground (2), else background (1),
 * in a rectangle or the whole image. Non-finite probabilities leave the pixel unchanged.
 * @returns the rectangle processed.
 */
export function acceptPrediction(
  canvas: LabelCanvas,
  probability: ArrayLike<number>,
  options: AcceptOptions = {},
  beforeWrite?: BeforeWrite,
): Rect {
  const { width, height, data } = canvas;
  if (probability.length !== width * height) {
    throw new RangeError(`probability map has ${probability.length} values, labels have ${width}x${height}`);
  }
  const rect = clipRect(options.rect ?? { x: 0, y: 0, width, height }, width, height);
  if (isEmptyRect(rect)) return rect;
  beforeWrite?.(rect);
  const threshold = options.threshold ?? 0.5;
  const keep = options.onlyUnlabelled ?? false;
  for (let y = rect.y; y < rect.y + rect.height; y++) {
    for (let i = y * width + rect.x, end = i + rect.width; i < end; i++) {
      const p = probability[i];
      if (!Number.isFinite(p) || (keep && data[i] !== UNLABELLED)) continue;
      data[i] = p >= threshold ? FOREGROUND : BACKGROUND;
    }
  }
  return rect;
}

/** Pixel counts per label value, e.g. to show "1234 px labelled" or to refuse training with none. */
export function countLabels(canvas: LabelCanvas): { unlabelled: number; background: number; foreground: number } {
  let bg = 0;
  let fg = 0;
  for (const v of canvas.data) {
    if (v === BACKGROUND) bg++;
    else if (v === FOREGROUND) fg++;
  }
  return { unlabelled: canvas.data.length - bg - fg, background: bg, foreground: fg };
}
