import { isEmptyRect, unionRect, EMPTY_RECT, type LabelCanvas, type Rect } from './labels';

/**
 * Undo/redo for painted labels as deltas. A finished stroke (or fill, or accept-prediction) is one
 * step, stored as a patch: the bytes before and after of the smallest rectangle containing every
 * changed pixel, never a copy of the whole canvas (a 4096x4096 canvas is 16 MB; a brush stroke is
 * usually a few KB).
 */

/** One undoable step. before/after hold rect.width * rect.height bytes, row-major. */
export interface Patch {
  readonly rect: Rect;
  readonly before: Uint8Array;
  readonly after: Uint8Array;
}

/** Copies the bytes of `rect` out of the canvas. */
export function copyRect(canvas: LabelCanvas, rect: Rect): Uint8Array {
  const out = new Uint8Array(rect.width * rect.height);
  for (let r = 0; r < rect.height; r++) {
    const from = (rect.y + r) * canvas.width + rect.x;
    out.set(canvas.data.subarray(from, from + rect.width), r * rect.width);
  }
  return out;
}

/** Writes `bytes` (rect-sized) into the canvas at `rect`. */
export function writeRect(canvas: LabelCanvas, rect: Rect, bytes: Uint8Array): void {
  if (bytes.length !== rect.width * rect.height) throw new RangeError('patch bytes do not match its rectangle');
  for (let r = 0; r < rect.height; r++) {
    canvas.data.set(bytes.subarray(r * rect.width, (r + 1) * rect.width), (rect.y + r) * canvas.width + rect.x);
  }
}

/** Puts the canvas back to the state before ('undo') or after ('redo') the patch. Returns the rectangle to redraw. */
export function applyPatch(canvas: LabelCanvas, patch: Patch, direction: 'undo' | 'redo'): Rect {
  writeRect(canvas, patch.rect, direction === 'undo' ? patch.before : patch.after);
  return patch.rect;
}

/** Records one step while it is being painted. */
export interface Stroke {
  /**
   * Declares that `rect` is about to be written. Must be called before the write (pass it as the
   * `beforeWrite` callback of the labels.ts operations).
   */
  extend(rect: Rect): void;
  /** Union of all rectangles declared so far. */
  readonly touched: Rect;
  /** Ends the step: a patch of the changed pixels' bounding rectangle, or null when nothing changed. */
  commit(): Patch | null;
}

/** Snapshot granularity: a stroke saves the pre-stroke bytes of each 64x64 tile it first enters. */
const TILE = 64;

/** Starts recording a step on `canvas`. */
export function beginStroke(canvas: LabelCanvas): Stroke {
  const tilesX = Math.ceil(canvas.width / TILE);
  const saved = new Map<number, Uint8Array>();
  let touched: Rect = EMPTY_RECT;
  let done = false;

  const tileRect = (t: number): Rect => {
    const x = (t % tilesX) * TILE;
    const y = Math.floor(t / tilesX) * TILE;
    return { x, y, width: Math.min(TILE, canvas.width - x), height: Math.min(TILE, canvas.height - y) };
  };

  return {
    extend(rect: Rect): void {
      if (done) throw new Error('stroke already committed');
      if (isEmptyRect(rect)) return;
      touched = unionRect(touched, rect);
      const tx1 = Math.floor((rect.x + rect.width - 1) / TILE);
      const ty1 = Math.floor((rect.y + rect.height - 1) / TILE);
      for (let ty = Math.floor(rect.y / TILE); ty <= ty1; ty++) {
        for (let tx = Math.floor(rect.x / TILE); tx <= tx1; tx++) {
          const t = ty * tilesX + tx;
          if (!saved.has(t)) saved.set(t, copyRect(canvas, tileRect(t)));
        }
      }
    },
    get touched(): Rect {
      return touched;
    },
    commit(): Patch | null {
      done = true;
      if (isEmptyRect(touched)) return null;
      // Rebuild "before" of the touched rectangle: saved tiles hold the old bytes, tiles never
      // entered are unchanged, so the canvas still holds theirs.
      const { x, y, width, height } = touched;
      const before = copyRect(canvas, touched);
      for (const [t, bytes] of saved) {
        const tr = tileRect(t);
        const x0 = Math.max(x, tr.x);
        const x1 = Math.min(x + width, tr.x + tr.width);
        for (let yy = Math.max(y, tr.y); yy < Math.min(y + height, tr.y + tr.height); yy++) {
          const src = (yy - tr.y) * tr.width + (x0 - tr.x);
          before.set(bytes.subarray(src, src + (x1 - x0)), (yy - y) * width + (x0 - x));
        }
      }
      const after = copyRect(canvas, touched);
      return tighten(touched, before, after);
    },
  };
}

/** Shrinks a patch to the bounding box of the pixels that differ; null if none do. */
function tighten(rect: Rect, before: Uint8Array, after: Uint8Array): Patch | null {
  let minX = rect.width;
  let minY = rect.height;
  let maxX = -1;
  let maxY = -1;
  for (let r = 0; r < rect.height; r++) {
    for (let c = 0, i = r * rect.width; c < rect.width; c++, i++) {
      if (before[i] === after[i]) continue;
      if (c < minX) minX = c;
      if (c > maxX) maxX = c;
      if (r < minY) minY = r;
      maxY = r;
    }
  }
  if (maxX < 0) return null;
  if (minX === 0 && minY === 0 && maxX === rect.width - 1 && maxY === rect.height - 1) return { rect, before, after };
  const w = maxX - minX + 1;
  const h = maxY - minY + 1;
  const crop = (src: Uint8Array): Uint8Array => {
    const out = new Uint8Array(w * h);
    for (let r = 0; r < h; r++) out.set(src.subarray((minY + r) * rect.width + minX, (minY + r) * rect.width + minX + w), r * w);
    return out;
  };
  return { rect: { x: rect.x + minX, y: rect.y + minY, width: w, height: h }, before: crop(before), after: crop(after) };
}

/** Options of {@link createHistory}. */
export interface HistoryOptions {
  /** Memory cap of all stored patches; the oldest steps are dropped beyond it. Default 128 MB. */
  readonly maxBytes?: number;
  /** Maximum number of undo steps kept. Default 500. */
  readonly maxSteps?: number;
}

/** Undo/redo stack of one label canvas. */
export interface HistoryStack {
  /** Records a finished step (clears the redo list). Null patches are ignored. */
  push(patch: Patch | null): void;
  /** Reverts the latest step on `canvas`; returns the rectangle to redraw, or null if none. */
  undo(canvas: LabelCanvas): Rect | null;
  /** Re-applies the latest undone step; returns the rectangle to redraw, or null if none. */
  redo(canvas: LabelCanvas): Rect | null;
  readonly canUndo: boolean;
  readonly canRedo: boolean;
  readonly undoDepth: number;
  readonly redoDepth: number;
  /** Bytes held by all patches (undo and redo). */
  readonly byteSize: number;
  clear(): void;
}

/** Creates an empty undo/redo stack. */
export function createHistory(options: HistoryOptions = {}): HistoryStack {
  const maxBytes = options.maxBytes ?? 128 * 1024 * 1024;
  const maxSteps = options.maxSteps ?? 500;
  let undoList: Patch[] = [];
  let redoList: Patch[] = [];
  let bytes = 0;
  const size = (p: Patch): number => p.before.length + p.after.length;
  return {
    push(patch) {
      if (!patch) return;
      for (const p of redoList) bytes -= size(p);
      redoList = [];
      undoList.push(patch);
      bytes += size(patch);
      // Drop the oldest steps, but always keep the newest one so the last action can be undone.
      while (undoList.length > 1 && (bytes > maxBytes || undoList.length > maxSteps)) bytes -= size(undoList.shift()!);
    },
    undo(canvas) {
      const p = undoList.pop();
      if (!p) return null;
      redoList.push(p);
      return applyPatch(canvas, p, 'undo');
    },
    redo(canvas) {
      const p = redoList.pop();
      if (!p) return null;
      undoList.push(p);
      return applyPatch(canvas, p, 'redo');
    },
    get canUndo() {
      return undoList.length > 0;
    },
    get canRedo() {
      return redoList.length > 0;
    },
    get undoDepth() {
      return undoList.length;
    },
    get redoDepth() {
      return redoList.length;
    },
    get byteSize() {
      return bytes;
    },
    clear() {
      undoList = [];
      redoList = [];
      bytes = 0;
    },
  };
}
