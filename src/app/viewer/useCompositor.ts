import { useCallback, useEffect, useRef } from 'react';
import { useStudio } from '../../state/store';
import { viewOf } from '../../state/viewerSlice';
import type { Box } from '../../state/viewMath';
import { composite, type LayerSet } from './compositor';

/**
 * Owns the screen canvas: sizes it to its container (device pixels), reports the viewport size to the
 * store, and redraws at most once per frame. `redraw(clip)` asks for a partial redraw; `redraw()` for a
 * full one. View and overlay changes in the store trigger full redraws.
 */
export function useCompositor(
  canvasRef: React.RefObject<HTMLCanvasElement | null>,
  id: string | null,
  layersRef: React.RefObject<LayerSet | null>,
): (clip?: Box) => void {
  const pending = useRef<{ full: boolean; clip: Box | null }>({ full: false, clip: null });
  const frame = useRef(0);
  /** The current draw, for the extra frame a layer waiting for its mip level asks for. */
  const drawAgain = useRef<() => void>(() => {});

  const draw = useCallback(() => {
    frame.current = 0;
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    const state = useStudio.getState();
    const view = viewOf(state, id);
    if (!canvas || !ctx) return;
    const { full, clip } = pending.current;
    pending.current = { full: false, clip: null };
    const dpr = window.devicePixelRatio || 1;
    if (!view) {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      return;
    }
    const deferred = composite(ctx, dpr, state.viewport, layersRef.current, view, state.overlays, full ? null : clip);
    // A layer waited for its mip level: draw the whole view again next frame, when it is built.
    if (deferred) {
      pending.current.full = true;
      frame.current = requestAnimationFrame(() => drawAgain.current());
    }
  }, [canvasRef, id, layersRef]);
  useEffect(() => {
    drawAgain.current = draw;
  }, [draw]);

  const redraw = useCallback(
    (clip?: Box) => {
      const p = pending.current;
      if (!clip) p.full = true;
      else if (p.clip) {
        const x = Math.min(p.clip.x, clip.x);
        const y = Math.min(p.clip.y, clip.y);
        p.clip = { x, y, width: Math.max(p.clip.x + p.clip.width, clip.x + clip.width) - x, height: Math.max(p.clip.y + p.clip.height, clip.y + clip.height) - y };
      } else p.clip = clip;
      if (!frame.current) frame.current = requestAnimationFrame(draw);
    },
    [draw],
  );

  // Canvas size follows its box; the store learns the viewport size (fit, accept-visible).
  useEffect(() => {
    const canvas = canvasRef.current;
    const box = canvas?.parentElement;
    if (!canvas || !box) return;
    const observer = new ResizeObserver(() => {
      const dpr = window.devicePixelRatio || 1;
      const w = box.clientWidth;
      const h = box.clientHeight;
      canvas.width = Math.max(1, Math.round(w * dpr));
      canvas.height = Math.max(1, Math.round(h * dpr));
      canvas.style.width = `${w}px`;
      canvas.style.height = `${h}px`;
      useStudio.getState().setViewport(w, h);
      redraw();
    });
    observer.observe(box);
    return () => observer.disconnect();
  }, [canvasRef, redraw]);

  // Full redraw when the view or the overlay settings change.
  useEffect(
    () =>
      useStudio.subscribe((s, prev) => {
        if (s.views !== prev.views || s.overlays !== prev.overlays || s.viewport !== prev.viewport) redraw();
      }),
    [redraw],
  );

  useEffect(() => () => cancelAnimationFrame(frame.current), []);
  return redraw;
}
