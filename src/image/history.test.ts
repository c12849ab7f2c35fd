import { describe, expect, it } from 'vitest';
import { beginStroke, createHistory, type Patch } from './history';
import { acceptPrediction, createLabelCanvas, floodFill, paintSegment, type LabelValue } from './labels';

/** Index of the first differing byte, -1 if equal (vitest's deep toEqual is slow on big typed arrays). */
function firstDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('undo history', () => {
  it('50 random strokes: undo all restores the original, redo all the final, patches are rectangles', () => {
    const W = 200;
    const H = 150;
    const rand = rng(42);
    const canvas = createLabelCanvas(W, H);
    // Start from some existing labels so fills have regions to find.
    for (let k = 0; k < 12; k++) paintSegment(canvas, rand() * W, rand() * H, rand() * W, rand() * H, 2 + rand() * 10, (1 + (k % 2)) as LabelValue);
    const prob = Float32Array.from({ length: W * H }, () => rand());
    const history = createHistory();
    const states = [canvas.data.slice()];
    const patches: Patch[] = [];
    for (let step = 0; step < 50; step++) {
      const stroke = beginStroke(canvas);
      const kind = step % 5;
      if (kind === 3) {
        floodFill(canvas, rand() * W, rand() * H, (Math.floor(rand() * 3)) as LabelValue, stroke.extend);
      } else if (kind === 4 && step % 2 === 0) {
        const rect = { x: Math.floor(rand() * W), y: Math.floor(rand() * H), width: 30, height: 20 };
        acceptPrediction(canvas, prob, { rect }, stroke.extend);
      } else {
        const value: LabelValue = kind === 2 || kind === 4 ? 0 : ((1 + (step % 2)) as LabelValue); // 0 = eraser
        let x = rand() * W;
        let y = rand() * H;
        const r = 0.5 + rand() * 8;
        for (let seg = 0; seg < 6; seg++) {
          const nx = x + (rand() - 0.5) * 40;
          const ny = y + (rand() - 0.5) * 40;
          paintSegment(canvas, x, y, nx, ny, r, value, stroke.extend);
          x = nx;
          y = ny;
        }
      }
      const patch = stroke.commit();
      if (patch) {
        const { rect, before, after } = patch;
        expect(before.length).toBe(rect.width * rect.height);
        expect(after.length).toBe(rect.width * rect.height);
        patches.push(patch);
      }
      history.push(patch);
      if (patch) states.push(canvas.data.slice());
      else expect(firstDiff(canvas.data, states[states.length - 1])).toBe(-1); // no change, no step
    }
    expect(patches.length).toBeGreaterThan(40);
    // Strokes are stored as their rectangle, not the canvas.
    const strokeAreas = patches.map((p) => p.rect.width * p.rect.height).sort((a, b) => a - b);
    expect(strokeAreas[Math.floor(strokeAreas.length / 2)]).toBeLessThan((W * H) / 4);
    expect(history.byteSize).toBe(patches.reduce((s, p) => s + 2 * p.rect.width * p.rect.height, 0));

    for (let k = states.length - 1; k > 0; k--) {
      expect(firstDiff(canvas.data, states[k])).toBe(-1);
      expect(history.undo(canvas)).not.toBeNull();
    }
    expect(firstDiff(canvas.data, states[0])).toBe(-1);
    expect(history.canUndo).toBe(false);
    expect(history.undo(canvas)).toBeNull();
    while (history.canRedo) history.redo(canvas);
    expect(firstDiff(canvas.data, states[states.length - 1])).toBe(-1);
  });

  it('each patch is the tight box of the changed pixels', () => {
    const canvas = createLabelCanvas(50, 50);
    const stroke = beginStroke(canvas);
    paintSegment(canvas, 10.5, 10.5, 20.5, 10.5, 0.5, 2, stroke.extend);
    paintSegment(canvas, 20.5, 10.5, 20.5, 30.5, 0.5, 2, stroke.extend);
    const patch = stroke.commit()!;
    expect(patch.rect).toEqual({ x: 10, y: 10, width: 11, height: 21 });
    expect(patch.before.every((v) => v === 0)).toBe(true);
    // Painting over identical labels changes nothing and records nothing.
    const again = beginStroke(canvas);
    paintSegment(canvas, 10.5, 10.5, 20.5, 10.5, 0.5, 2, again.extend);
    expect(again.commit()).toBeNull();
  });

  it('drops the oldest steps beyond the memory cap, and a new step clears redo', () => {
    const canvas = createLabelCanvas(64, 64);
    const history = createHistory({ maxBytes: 2 * 3 * 100 }); // about three 10x10 patches
    for (let k = 0; k < 5; k++) {
      const s = beginStroke(canvas);
      paintSegment(canvas, 5 + k * 11, 5, 5 + k * 11, 5, 5, 1, s.extend);
      history.push(s.commit());
    }
    expect(history.undoDepth).toBe(3);
    expect(history.byteSize).toBeLessThanOrEqual(600);
    history.undo(canvas);
    expect(history.canRedo).toBe(true);
    const s = beginStroke(canvas);
    paintSegment(canvas, 30, 40, 30, 40, 2, 2, s.extend);
    history.push(s.commit());
    expect(history.canRedo).toBe(false);
  });
});
