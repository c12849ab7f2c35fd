import { beforeEach, describe, expect, it } from 'vitest';
import { beginStroke } from '../image/history';
import { countLabels, paintSegment } from '../image/labels';
import type { ImageEntry } from './imagesSlice';
import { addPixels, ensureLabels, getPixels } from './pixels';
import { useStudio } from './store';

function entry(id: string, width: number, height: number): ImageEntry {
  return { id, name: id, path: id, exportName: id, page: 1, pageCount: 1, width, height, channels: 1, bitDepth: 8, fileBytes: 0, thumbnailUrl: null, channel: 'mean', modelId: null };
}

/** Paints one stroke the way the viewer does: into the canvas, recorded as one step. */
function stroke(id: string, x0: number, y0: number, x1: number, y1: number, radius: number, value: 0 | 1 | 2): void {
  const canvas = ensureLabels(getPixels(id)!);
  const s = beginStroke(canvas);
  paintSegment(canvas, x0, y0, x1, y1, radius, value, s.extend);
  useStudio.getState().finishStep(id, s.commit());
}

describe('labels slice', () => {
  beforeEach(() => {
    const w = 64;
    const h = 48;
    addPixels('a', { width: w, height: h, channels: 1, bitDepth: 8, data: new Uint8Array(w * h) });
    useStudio.setState({ images: [entry('a', w, h)], selectedId: 'a', labelStats: {} });
  });

  it('keeps pixel counts exact through strokes, undo and redo without full scans', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    // snapshots[d]: the canvas after d recorded steps (a stroke that changes nothing records none).
    const snapshots: Uint8Array[] = [new Uint8Array(64 * 48)];
    for (let k = 0; k < 30; k++) {
      stroke('a', rnd() * 64, rnd() * 48, rnd() * 64, rnd() * 48, 1 + rnd() * 6, (k % 3) as 0 | 1 | 2);
      snapshots[getPixels('a')!.history.undoDepth] = getPixels('a')!.labels!.data.slice();
    }
    const steps = getPixels('a')!.history.undoDepth;
    expect(steps).toBeGreaterThan(20);
    const check = () => {
      const truth = countLabels(getPixels('a')!.labels!);
      const stats = useStudio.getState().labelStats.a;
      expect([stats.background, stats.foreground]).toEqual([truth.background, truth.foreground]);
    };
    check();
    for (let k = 0; k < 10; k++) useStudio.getState().undo();
    check();
    expect(getPixels('a')!.labels!.data).toEqual(snapshots[steps - 10]);
    for (let k = 0; k < 4; k++) useStudio.getState().redo();
    check();
    expect(getPixels('a')!.labels!.data).toEqual(snapshots[steps - 6]);
    expect(useStudio.getState().labelStats.a.undoDepth).toBe(steps - 6);
    expect(useStudio.getState().labelStats.a.redoDepth).toBe(6);
    expect(useStudio.getState().labelStats.a.edited).toBe(true);
  });

  it('a stroke is one undo step and tells the viewer which rectangle to redraw', () => {
    stroke('a', 5, 5, 40, 20, 3, 2);
    const painted = useStudio.getState().labelStats.a.foreground;
    expect(painted).toBeGreaterThan(50);
    const before = useStudio.getState().labelsDirty.version;
    useStudio.getState().undo();
    const dirty = useStudio.getState().labelsDirty;
    expect(dirty.version).toBe(before + 1);
    expect(dirty.id).toBe('a');
    expect(dirty.rect!.width * dirty.rect!.height).toBeLessThan(64 * 48);
    expect(useStudio.getState().labelStats.a.foreground).toBe(0);
    useStudio.getState().redo();
    expect(useStudio.getState().labelStats.a.foreground).toBe(painted);
  });

  it('brush sizes step through the list with [ and ]', () => {
    useStudio.getState().setBrushSize(10);
    useStudio.getState().stepBrush(1);
    expect(useStudio.getState().brushSize).toBe(12);
    useStudio.getState().stepBrush(-1);
    useStudio.getState().stepBrush(-1);
    expect(useStudio.getState().brushSize).toBe(8);
  });
});
