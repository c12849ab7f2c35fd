import type { Rect } from '../../image/labels';

/*
 * Mip levels of the viewer's layers. Drawing a 2048x2048 layer shrunk with imageSmoothingQuality 'high' (or
 * 'medium') makes the canvas build the layer's mipmaps again on every frame: 60-130 ms per layer on a
 * software canvas, so a frame of five layers ran 200-360 ms. Here each layer is halved once per level
 * (bilinear at exactly half scale is the 2x2 box average a mipmap is made of) and kept; a frame draws the
 * level whose remaining scale lies in (0.5, 1] with bilinear smoothing, which needs no mipmaps: ~10 ms for
 * the same frame. That is a mipmap's nearest-level lookup; the canvas's own 'high' also blends across
 * levels, which at these scales differs by less than the eye sees (measured in the README).
 */

/** The part of a 2D context the levels are drawn with (OffscreenCanvasRenderingContext2D has it). */
export interface MipContext {
  imageSmoothingEnabled: boolean;
  imageSmoothingQuality: ImageSmoothingQuality;
  clearRect(x: number, y: number, width: number, height: number): void;
  drawImage(image: CanvasImageSource, sx: number, sy: number, sw: number, sh: number, dx: number, dy: number, dw: number, dh: number): void;
}

export interface MipCanvas {
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): MipContext | null;
}

/** A layer: a canvas or an ImageBitmap. */
export type MipSource = CanvasImageSource & { readonly width: number; readonly height: number };

/** Level building left in this frame, in pixels of the finer level read; a level is built in bands of rows. */
export interface FrameBudget {
  pixels: number;
  /** Set when a layer was drawn from a finer level than it wanted (its level is built in a later frame). */
  deferred: boolean;
}

/**
 * One frame reads up to a quarter of a 2048x2048 layer to build levels (~3 ms on a software canvas, more
 * under load); the rest of a level is built in the next frames, the layer drawn meanwhile from the finer
 * level it has (for a few frames after it first appears).
 */
export const FRAME_BUILD_PIXELS = 1 << 20;

export function frameBudget(pixels = FRAME_BUILD_PIXELS): FrameBudget {
  return { pixels, deferred: false };
}

/**
 * The level to draw a width x height layer from at `scale` (device pixels per image pixel): the coarsest
 * whose remaining scale, scale * 2^level, is still <= 1 (0 when not shrinking), never smaller than 1 px.
 */
export function mipLevel(scale: number, width: number, height: number): number {
  if (!(scale < 1) || scale <= 0) return 0;
  // The epsilon keeps exact powers of two (0.5, 0.25) on their level despite rounding in log2.
  const level = Math.floor(Math.log2(1 / scale) + 1e-9);
  const coarsest = Math.floor(Math.log2(Math.max(1, Math.min(width, height))));
  return Math.max(0, Math.min(level, coarsest));
}

/** Size of level `level` of a `size`-pixel side: halved and rounded up, level by level. */
export function levelSize(size: number, level: number): number {
  let s = size;
  for (let l = 0; l < level; l++) s = Math.ceil(s / 2);
  return s;
}

/** The pixels of level `level` (of a width x height layer) that a change of `rect` (level-0 pixels) touches. */
export function levelRect(rect: Rect, level: number, width: number, height: number): Rect {
  const f = 2 ** level;
  const x = Math.max(0, Math.floor(rect.x / f));
  const y = Math.max(0, Math.floor(rect.y / f));
  const right = Math.min(levelSize(width, level), Math.ceil((rect.x + rect.width) / f));
  const bottom = Math.min(levelSize(height, level), Math.ceil((rect.y + rect.height) / f));
  return { x, y, width: Math.max(0, right - x), height: Math.max(0, bottom - y) };
}

export interface MipCache {
  /**
   * What to draw `source` from for `level`: an image and how many source pixels one of its pixels spans
   * (2^level of the level drawn). Builds missing levels within `budget`; past it, returns the finest level
   * built so far and sets `budget.deferred`.
   */
  pick(source: MipSource, level: number, budget: FrameBudget): { readonly image: CanvasImageSource; readonly scale: number };
  /** `rect` (level-0 pixels) of `source` was redrawn: its built levels are refreshed there before their next use. */
  invalidate(source: MipSource, rect: Rect): void;
}

interface Entry {
  /** levels[l - 1] is level l. */
  readonly levels: MipCanvas[];
  /** The next level while it is built, and how many of its rows are drawn. */
  building: { readonly canvas: MipCanvas; rows: number } | null;
  dirty: Rect | null;
}

function union(a: Rect | null, b: Rect): Rect {
  if (!a) return b;
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

/** Redraws `dest` (level-l pixels) of level l from level l - 1 at exactly half scale; a `fresh` canvas is still clear. */
function halve(from: MipSource, to: MipCanvas, dest: Rect, fresh = false): void {
  const ctx = to.getContext('2d');
  if (!ctx || dest.width <= 0 || dest.height <= 0) return;
  const sx = dest.x * 2;
  const sy = dest.y * 2;
  // An odd last column or row of the finer level covers half a pixel here, as in a full halving.
  const sw = Math.min(from.width, (dest.x + dest.width) * 2) - sx;
  const sh = Math.min(from.height, (dest.y + dest.height) * 2) - sy;
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'low';
  if (!fresh) ctx.clearRect(dest.x, dest.y, dest.width, dest.height);
  ctx.drawImage(from, sx, sy, sw, sh, dest.x, dest.y, sw / 2, sh / 2);
}

export function createMipCache(makeCanvas: (width: number, height: number) => MipCanvas): MipCache {
  const entries = new WeakMap<MipSource, Entry>();

  const refresh = (source: MipSource, entry: Entry) => {
    const rect = entry.dirty;
    entry.dirty = null;
    if (!rect) return;
    for (let l = 1; l <= entry.levels.length; l++) {
      const from = l === 1 ? source : (entry.levels[l - 2] as MipSource & MipCanvas);
      halve(from, entry.levels[l - 1], levelRect(rect, l, source.width, source.height));
    }
  };

  return {
    pick(source, level, budget) {
      let entry = entries.get(source);
      if (!entry) {
        entry = { levels: [], building: null, dirty: null };
        entries.set(source, entry);
      }
      refresh(source, entry);
      while (entry.levels.length < level) {
        if (budget.pixels <= 0) {
          budget.deferred = true;
          break;
        }
        const finer = entry.levels.length === 0 ? source : (entry.levels[entry.levels.length - 1] as MipSource & MipCanvas);
        const next = entry.levels.length + 1;
        entry.building ??= { canvas: makeCanvas(levelSize(source.width, next), levelSize(source.height, next)), rows: 0 };
        const { canvas, rows } = entry.building;
        // Each row of the new level reads two rows of the finer one.
        const end = Math.min(canvas.height, rows + Math.max(1, Math.floor(budget.pixels / (2 * finer.width))));
        halve(finer, canvas, { x: 0, y: rows, width: canvas.width, height: end - rows }, true);
        budget.pixels -= (end - rows) * 2 * finer.width;
        entry.building.rows = end;
        if (end < canvas.height) {
          budget.deferred = true;
          break;
        }
        entry.levels.push(canvas);
        entry.building = null;
      }
      const drawn = Math.min(level, entry.levels.length);
      return { image: drawn === 0 ? source : (entry.levels[drawn - 1] as MipSource & MipCanvas), scale: 2 ** drawn };
    },
    invalidate(source, rect) {
      const entry = entries.get(source);
      if (!entry) return;
      if (entry.levels.length > 0) entry.dirty = union(entry.dirty, rect);
      // A level half built may hold the old pixels: build it again from its first row.
      entry.building = null;
    },
  };
}

/** The viewer's levels: one cache for every layer (a layer's levels go when the layer does). */
export const layerMips: MipCache = createMipCache((width, height) => new OffscreenCanvas(width, height));
