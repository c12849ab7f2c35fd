import type { StateCreator } from 'zustand';
import { beginStroke, type Patch } from '../image/history';
import { acceptPrediction, isEmptyRect, type LabelCanvas, type Rect } from '../image/labels';
import { currentPrediction, imageSettings } from './predictions';
import { ensureLabels, getPixels } from './pixels';
import type { StudioState } from './store';
import { fitView, visibleImageBox } from './viewMath';

export type Tool = 'brush' | 'eraser' | 'fill' | 'pan';

/** A painted class: value 1 (background) or 2 (foreground). */
export interface LabelClass {
  readonly name: string;
  /** CSS hex colour, e.g. "#3b82f6". */
  readonly color: string;
}

export interface LabelStats {
  readonly background: number;
  readonly foreground: number;
  /** Painted since the last export. */
  readonly edited: boolean;
  readonly undoDepth: number;
  readonly redoDepth: number;
}

/** Tells the viewer which part of which image's labels changed outside its own painting. */
export interface LabelsDirty {
  readonly id: string | null;
  /** null: redraw everything. */
  readonly rect: Rect | null;
  readonly version: number;
}

export const BRUSH_SIZES: readonly number[] = [1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100, 128, 160, 200, 256];

export interface LabelsSlice {
  tool: Tool;
  /** Brush diameter in image pixels. */
  brushSize: number;
  /** The class the brush and fill paint: 1 background, 2 foreground. */
  activeClass: 1 | 2;
  /** [background, foreground]. */
  classes: readonly [LabelClass, LabelClass];
  labelStats: Record<string, LabelStats>;
  labelsDirty: LabelsDirty;
  setTool(tool: Tool): void;
  setBrushSize(size: number): void;
  /** The next brush size up (1) or down (-1): the [ and ] keys. */
  stepBrush(dir: 1 | -1): void;
  setActiveClass(value: 1 | 2): void;
  setClass(value: 1 | 2, change: Partial<LabelClass>): void;
  /** Records a finished stroke or fill of image `id` as one undo step. */
  finishStep(id: string, patch: Patch | null): void;
  undo(): void;
  redo(): void;
  /** Prediction -> labels (>= threshold foreground, else background) in the visible part or the whole image. */
  acceptPrediction(scope: 'visible' | 'all'): void;
  /** Clears the "edited" flag after an export. */
  markSaved(ids: readonly string[]): void;
}

export const initialLabelsState = {
  tool: 'brush' as Tool,
  brushSize: 10,
  activeClass: 2 as 1 | 2,
  classes: [
    { name: 'background', color: '#3b82f6' },
    { name: 'nucleus', color: '#f97316' },
  ] as readonly [LabelClass, LabelClass],
  labelStats: {} as Record<string, LabelStats>,
  labelsDirty: { id: null, rect: null, version: 0 } as LabelsDirty,
};

/** Background and foreground pixels inside a rectangle. */
function countRect(canvas: LabelCanvas, rect: Rect): [number, number] {
  let bg = 0;
  let fg = 0;
  for (let y = rect.y; y < rect.y + rect.height; y++) {
    for (let i = y * canvas.width + rect.x, end = i + rect.width; i < end; i++) {
      const v = canvas.data[i];
      if (v === 1) bg++;
      else if (v === 2) fg++;
    }
  }
  return [bg, fg];
}

function countBytes(bytes: Uint8Array): [number, number] {
  let bg = 0;
  let fg = 0;
  for (const v of bytes) {
    if (v === 1) bg++;
    else if (v === 2) fg++;
  }
  return [bg, fg];
}

export const createLabelsSlice: StateCreator<StudioState, [], [], LabelsSlice> = (set, get) => {
  /** Updates counts by a delta and the undo depths; bumps the redraw version when `dirty` is given. */
  const update = (id: string, dBg: number, dFg: number, dirty?: Rect | null) => {
    const px = getPixels(id);
    if (!px) return;
    set((s) => {
      const old = s.labelStats[id] ?? { background: 0, foreground: 0, edited: false, undoDepth: 0, redoDepth: 0 };
      const stats: LabelStats = {
        background: old.background + dBg,
        foreground: old.foreground + dFg,
        edited: true,
        undoDepth: px.history.undoDepth,
        redoDepth: px.history.redoDepth,
      };
      return {
        labelStats: { ...s.labelStats, [id]: stats },
        labelsDirty: dirty === undefined ? s.labelsDirty : { id, rect: dirty, version: s.labelsDirty.version + 1 },
      };
    });
    // The validation split follows the strokes; during a fine-tune the new strokes join the training.
    get().labelsEdited(id);
  };

  const undoRedo = (direction: 'undo' | 'redo') => {
    const id = get().selectedId;
    const px = getPixels(id);
    if (!id || !px?.labels) return;
    const can = direction === 'undo' ? px.history.canUndo : px.history.canRedo;
    if (!can) {
      get().setStatus(direction === 'undo' ? 'Nothing to undo.' : 'Nothing to redo.');
      return;
    }
    // Count the touched rectangle in the new and the old state (apply, step back, apply again): the
    // count change costs a rectangle scan, not a full-image scan.
    const canvas = px.labels;
    const forward = () => (direction === 'undo' ? px.history.undo(canvas) : px.history.redo(canvas));
    const backward = () => (direction === 'undo' ? px.history.redo(canvas) : px.history.undo(canvas));
    const rect = forward();
    if (!rect) return;
    const after = countRect(canvas, rect);
    backward();
    const [bBg, bFg] = countRect(canvas, rect);
    forward();
    update(id, after[0] - bBg, after[1] - bFg, rect);
    get().setStatus(`${direction === 'undo' ? 'Undid' : 'Redid'} one step (${px.history.undoDepth} left to undo).`);
  };

  return {
    ...initialLabelsState,

    setTool: (tool) => set({ tool }),
    setBrushSize: (size) => set({ brushSize: Math.min(256, Math.max(1, Math.round(size))) }),
    stepBrush(dir) {
      const size = get().brushSize;
      const next = dir > 0 ? BRUSH_SIZES.find((s) => s > size) : [...BRUSH_SIZES].reverse().find((s) => s < size);
      set({ brushSize: next ?? size });
    },
    setActiveClass: (value) => set({ activeClass: value }),
    setClass(value, change) {
      set((s) => {
        const classes: [LabelClass, LabelClass] = [s.classes[0], s.classes[1]];
        classes[value - 1] = { ...classes[value - 1], ...change };
        return { classes, labelsDirty: { id: null, rect: null, version: s.labelsDirty.version + 1 } };
      });
    },

    finishStep(id, patch) {
      const px = getPixels(id);
      if (!px || !patch) return;
      px.history.push(patch);
      const [bBg, bFg] = countBytes(patch.before);
      const [aBg, aFg] = countBytes(patch.after);
      update(id, aBg - bBg, aFg - bFg);
    },

    undo: () => undoRedo('undo'),
    redo: () => undoRedo('redo'),

    acceptPrediction(scope) {
      const state = get();
      const id = state.selectedId;
      const px = getPixels(id);
      const image = state.images.find((i) => i.id === id);
      if (!id || !px || !image) return;
      const probability = currentPrediction(state, id);
      if (!probability) {
        state.notify('info', 'Segment this image first: there is no prediction to accept yet.');
        return;
      }
      const { viewport } = state;
      const view = state.views[id] ?? fitView(image.width, image.height, viewport.width, viewport.height);
      const rect = scope === 'all' ? undefined : visibleImageBox(view, viewport.width, viewport.height, image.width, image.height);
      if (rect && isEmptyRect(rect)) return;
      const canvas = ensureLabels(px);
      const stroke = beginStroke(canvas);
      acceptPrediction(canvas, probability, { threshold: imageSettings(state, id)?.threshold ?? 0.5, rect }, stroke.extend);
      const patch = stroke.commit();
      state.finishStep(id, patch);
      if (patch) set((s) => ({ labelsDirty: { id, rect: patch.rect, version: s.labelsDirty.version + 1 } }));
      state.setStatus(
        patch
          ? `Accepted the prediction as labels ${scope === 'all' ? 'for the whole image' : 'in the visible region'} (Ctrl+Z undoes it).`
          : 'The labels already match the prediction.',
      );
    },

    markSaved(ids) {
      set((s) => {
        const labelStats = { ...s.labelStats };
        for (const id of ids) if (labelStats[id]) labelStats[id] = { ...labelStats[id], edited: false };
        return { labelStats };
      });
    },
  };
};
