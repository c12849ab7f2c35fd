import { useEffect, useRef } from 'react';
import { beginStroke, type Stroke } from '../../image/history';
import { floodFill, paintSegment, unionRect, EMPTY_RECT, isEmptyRect, type LabelValue, type Rect } from '../../image/labels';
import { ensureLabels, getPixels } from '../../state/pixels';
import { currentInstances, shownProbability } from '../../state/predictions';
import { useStudio } from '../../state/store';
import { viewOf, type CursorInfo } from '../../state/viewerSlice';
import { imageBoxToScreen, panBy, screenToImage, wheelZoomFactor, zoomAround, type Box } from '../../state/viewMath';
import type { LayerSet } from './compositor';
import { drawLabelRect } from './layers';
import { colours } from './useViewerLayers';

interface Drag {
  readonly mode: 'pan' | 'paint';
  readonly pointerId: number;
  lastX: number;
  lastY: number;
  stroke?: Stroke;
  value?: LabelValue;
  /** Image rectangle painted since the last frame. */
  pending: Rect;
}

/** Whether the space bar is held (pan with the left button, as in Photoshop and Fiji). */
let spaceHeld = false;

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

function readout(id: string, ix: number, iy: number): CursorInfo | null {
  const state = useStudio.getState();
  const px = getPixels(id);
  if (!px || ix < 0 || iy < 0 || ix >= px.raster.width || iy >= px.raster.height) return null;
  const { raster } = px;
  const i = iy * raster.width + ix;
  const values: string[] = [];
  for (let c = 0; c < raster.channels; c++) {
    const v = raster.data[i * raster.channels + c];
    values.push(raster.bitDepth === 32 ? Number(v.toPrecision(5)).toString() : String(v));
  }
  const probability = shownProbability(state, id);
  const instances = currentInstances(state, id);
  const label = px.labels ? (px.labels.data[i] as 0 | 1 | 2) : null;
  return {
    x: ix,
    y: iy,
    value: values.join(', '),
    // NaN: a cancelled segmentation did not reach this pixel.
    probability: probability && !Number.isNaN(probability[i]) ? probability[i] : null,
    instance: instances ? instances.labels[i] : null,
    label,
  };
}

/**
 * Mouse and pen input of the viewer: wheel zoom about the cursor, pan (middle button, or left with
 * space held, or the pan tool), brush/eraser strokes and flood fill, the cursor readout and the brush
 * outline. A stroke writes straight into the label canvas; the label layer and the screen are redrawn
 * once per frame, only in the painted rectangle; the stroke becomes one undo step on release.
 */
export function useViewerInput(
  surface: React.RefObject<HTMLDivElement | null>,
  brushRef: React.RefObject<HTMLDivElement | null>,
  id: string | null,
  layersRef: React.RefObject<LayerSet | null>,
  redraw: (clip?: Box) => void,
): void {
  const drag = useRef<Drag | null>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.code !== 'Space' || isTyping(e.target) || (e.target instanceof HTMLElement && e.target.tagName === 'BUTTON')) return;
      spaceHeld = e.type === 'keydown';
      if (surface.current) surface.current.dataset.space = String(spaceHeld);
      e.preventDefault();
    };
    const onBlur = () => {
      spaceHeld = false;
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('keyup', onKey);
    window.addEventListener('blur', onBlur);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('keyup', onKey);
      window.removeEventListener('blur', onBlur);
    };
  }, [surface]);

  useEffect(() => {
    const el = surface.current;
    if (!el || !id) return;
    const local = (e: MouseEvent) => {
      const r = el.getBoundingClientRect();
      return { sx: e.clientX - r.left, sy: e.clientY - r.top };
    };
    const view = () => viewOf(useStudio.getState(), id);

    const moveBrush = (sx: number, sy: number, visible: boolean) => {
      const b = brushRef.current;
      const v = view();
      if (!b || !v) return;
      const { tool, brushSize } = useStudio.getState();
      const show = visible && (tool === 'brush' || tool === 'eraser') && !spaceHeld;
      b.style.display = show ? 'block' : 'none';
      if (!show) return;
      const d = Math.max(4, brushSize * v.zoom);
      b.style.width = `${d}px`;
      b.style.height = `${d}px`;
      b.style.transform = `translate(${sx - d / 2}px, ${sy - d / 2}px)`;
    };

    /** Pushes the painted rectangle to the label layer and the screen. */
    const flush = () => {
      const d = drag.current;
      const set = layersRef.current;
      const px = getPixels(id);
      const v = view();
      if (!d || isEmptyRect(d.pending) || !set?.labels || !px?.labels || !v) return;
      drawLabelRect(set.labels, px.labels, d.pending, colours(useStudio.getState().classes), px.heldOut);
      const box = imageBoxToScreen(v, d.pending);
      redraw({ x: Math.floor(box.x) - 1, y: Math.floor(box.y) - 1, width: Math.ceil(box.width) + 3, height: Math.ceil(box.height) + 3 });
      d.pending = EMPTY_RECT;
    };
    let frame = 0;
    const scheduleFlush = () => {
      if (!frame) frame = requestAnimationFrame(() => {
        frame = 0;
        flush();
      });
    };

    const paintTo = (x: number, y: number) => {
      const d = drag.current;
      const px = getPixels(id);
      if (!d?.stroke || !px?.labels || d.value === undefined) return;
      const radius = useStudio.getState().brushSize / 2;
      const rect = paintSegment(px.labels, d.lastX, d.lastY, x, y, radius, d.value, d.stroke.extend);
      d.pending = unionRect(d.pending, rect);
      d.lastX = x;
      d.lastY = y;
    };

    const onPointerDown = (e: PointerEvent) => {
      if (drag.current) return;
      const { tool, activeClass } = useStudio.getState();
      const v = view();
      const px = getPixels(id);
      if (!v || !px) return;
      const { sx, sy } = local(e);
      el.focus();
      const pan = e.button === 1 || (e.button === 0 && (spaceHeld || tool === 'pan'));
      if (pan) {
        e.preventDefault();
        el.setPointerCapture(e.pointerId);
        el.dataset.panning = 'true';
        drag.current = { mode: 'pan', pointerId: e.pointerId, lastX: sx, lastY: sy, pending: EMPTY_RECT };
        return;
      }
      if (e.button !== 0) return;
      const p = screenToImage(v, sx, sy);
      const canvas = ensureLabels(px);
      const value: LabelValue = tool === 'eraser' ? 0 : activeClass;
      if (tool === 'fill') {
        const stroke = beginStroke(canvas);
        const rect = floodFill(canvas, p.x, p.y, value, stroke.extend);
        useStudio.getState().finishStep(id, stroke.commit());
        drag.current = { mode: 'paint', pointerId: e.pointerId, lastX: p.x, lastY: p.y, pending: rect };
        flush();
        drag.current = null;
        return;
      }
      el.setPointerCapture(e.pointerId);
      drag.current = { mode: 'paint', pointerId: e.pointerId, lastX: p.x, lastY: p.y, stroke: beginStroke(canvas), value, pending: EMPTY_RECT };
      paintTo(p.x, p.y);
      scheduleFlush();
    };

    const onPointerMove = (e: PointerEvent) => {
      const { sx, sy } = local(e);
      const v = view();
      if (!v) return;
      const d = drag.current;
      if (d?.mode === 'pan' && d.pointerId === e.pointerId) {
        useStudio.getState().setView(id, panBy(v, sx - d.lastX, sy - d.lastY));
        d.lastX = sx;
        d.lastY = sy;
        return;
      }
      moveBrush(sx, sy, true);
      if (d?.mode === 'paint' && d.pointerId === e.pointerId) {
        // Coalesced events keep fast strokes smooth when the pointer outruns the frame rate.
        const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
        for (const ev of events.length > 0 ? events : [e]) {
          const q = local(ev);
          const p = screenToImage(v, q.sx, q.sy);
          paintTo(p.x, p.y);
        }
        scheduleFlush();
      }
      const p = screenToImage(v, sx, sy);
      useStudio.getState().setCursor(readout(id, Math.floor(p.x), Math.floor(p.y)));
    };

    const onPointerUp = (e: PointerEvent) => {
      const d = drag.current;
      if (!d || d.pointerId !== e.pointerId) return;
      if (el.hasPointerCapture(e.pointerId)) el.releasePointerCapture(e.pointerId);
      if (d.mode === 'paint' && d.stroke) {
        if (frame) cancelAnimationFrame(frame);
        frame = 0;
        flush();
        useStudio.getState().finishStep(id, d.stroke.commit());
      }
      delete el.dataset.panning;
      drag.current = null;
    };

    const onLeave = () => {
      moveBrush(0, 0, false);
      useStudio.getState().setCursor(null);
    };

    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const v = view();
      if (!v) return;
      const { sx, sy } = local(e);
      useStudio.getState().setView(id, zoomAround(v, wheelZoomFactor(e), sx, sy));
      moveBrush(sx, sy, true);
    };

    const onAux = (e: MouseEvent) => {
      if (e.button === 1) e.preventDefault();
    };

    el.addEventListener('pointerdown', onPointerDown);
    el.addEventListener('pointermove', onPointerMove);
    el.addEventListener('pointerup', onPointerUp);
    el.addEventListener('pointercancel', onPointerUp);
    el.addEventListener('pointerleave', onLeave);
    el.addEventListener('wheel', onWheel, { passive: false });
    el.addEventListener('mousedown', onAux);
    return () => {
      if (frame) cancelAnimationFrame(frame);
      el.removeEventListener('pointerdown', onPointerDown);
      el.removeEventListener('pointermove', onPointerMove);
      el.removeEventListener('pointerup', onPointerUp);
      el.removeEventListener('pointercancel', onPointerUp);
      el.removeEventListener('pointerleave', onLeave);
      el.removeEventListener('wheel', onWheel);
      el.removeEventListener('mousedown', onAux);
      // An image switch mid-stroke still records the stroke.
      const d = drag.current;
      if (d?.mode === 'paint' && d.stroke) useStudio.getState().finishStep(id, d.stroke.commit());
      drag.current = null;
    };
  }, [surface, brushRef, id, layersRef, redraw]);
}
