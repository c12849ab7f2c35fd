import { useEffect, useRef } from 'react';
import { instancesOverlay, probabilityOverlay } from '../../state/overlays';
import { getPixels } from '../../state/pixels';
import { currentInstances, currentInstancesKey, currentPredictionKey, shownProbability } from '../../state/predictions';
import { useStudio } from '../../state/store';
import type { LayerSet } from './compositor';
import { createLabelLayer, drawLabelRect, renderBase } from './layers';

/**
 * Runs overlay renders one at a time, keeping only the newest one asked for while one is in flight: the
 * live previews of a fine-tune can come faster than the image worker draws them.
 */
function createLatestRunner(): (job: () => Promise<void>) => void {
  let running = false;
  let next: (() => Promise<void>) | null = null;
  const pump = async () => {
    running = true;
    while (next) {
      const job = next;
      next = null;
      try {
        await job();
      } catch (error) {
        useStudio.getState().notify('error', `Could not draw the overlay: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    running = false;
  };
  return (job) => {
    next = job;
    if (!running) void pump();
  };
}

/**
 * Keeps the layersRef of image `id` in step with the store: the base layer when the display contrast
 * changes, overlays when a prediction or instances arrive, the label layer (only its dirty rectangle)
 * after undo/redo/accept. Calls `redraw` after each change. Pixel work is coalesced to one per frame.
 */
export function useViewerLayers(id: string | null, layersRef: React.RefObject<LayerSet | null>, redraw: () => void): void {
  const display = useStudio((s) => (id ? s.display[id] : undefined));
  const predKey = useStudio((s) => (id ? currentPredictionKey(s, id) : null));
  const instKey = useStudio((s) => (id ? currentInstancesKey(s, id) : null));
  const version = useStudio((s) => s.predictionVersion);
  const instancesVersion = useStudio((s) => s.instancesVersion);
  const dirty = useStudio((s) => s.labelsDirty);
  const classes = useStudio((s) => s.classes);
  const heldOutVersion = useStudio((s) => s.heldOutVersion);
  const training = useStudio((s) => s.trainRun !== null);
  // The overlays are drawn in the image worker; a request counter drops a result asked for before the latest.
  const probabilityRuns = useRef<ReturnType<typeof createLatestRunner> | null>(null);
  const instanceRuns = useRef<ReturnType<typeof createLatestRunner> | null>(null);
  const probabilityAsked = useRef(0);
  const instancesAsked = useRef(0);

  // A new image: fresh layersRef, label layer drawn in full from its canvas.
  useEffect(() => {
    const px = getPixels(id);
    if (!id || !px) {
      layersRef.current = null;
      redraw();
      return;
    }
    const { width, height } = px.raster;
    const set: LayerSet = { id, width, height, base: null, probability: null, probabilityOf: null, instances: null, outline: null, instancesFor: null, labels: createLabelLayer(width, height) };
    if (px.labels && set.labels) drawLabelRect(set.labels, px.labels, { x: 0, y: 0, width, height }, colours(useStudio.getState().classes), px.heldOut);
    layersRef.current = set;
    redraw();
  }, [id, redraw, layersRef]);

  // Display contrast: re-render the base layer at most once per frame while a slider moves.
  useEffect(() => {
    const px = getPixels(id);
    if (!px || !display) return;
    const frame = requestAnimationFrame(() => {
      if (layersRef.current?.id !== id) return;
      layersRef.current.base = renderBase(px.raster, { range: display.range, invert: display.invert, channel: display.channel });
      redraw();
    });
    return () => cancelAnimationFrame(frame);
  }, [id, display, redraw, layersRef]);

  // Probability overlay (during a fine-tune: the live preview, redrawn whenever one arrives).
  useEffect(() => {
    const set = layersRef.current;
    if (!id || !set || set.id !== id) return;
    const probability = shownProbability(useStudio.getState(), id);
    if (probability === set.probabilityOf && !training) return;
    set.probabilityOf = probability;
    const asked = ++probabilityAsked.current;
    if (!probability) {
      replace(set, 'probability', null);
      redraw();
      return;
    }
    probabilityRuns.current ??= createLatestRunner();
    probabilityRuns.current(async () => {
      const bitmap = await probabilityOverlay(probability, set.width, set.height);
      if (layersRef.current !== set || asked !== probabilityAsked.current) return bitmap.close();
      replace(set, 'probability', bitmap);
      redraw();
    });
  }, [id, predKey, version, training, redraw, layersRef]);

  // Instances and their outlines.
  useEffect(() => {
    const set = layersRef.current;
    if (!id || !set || set.id !== id) return;
    const inst = currentInstances(useStudio.getState(), id);
    if (inst) {
      const asked = ++instancesAsked.current;
      instanceRuns.current ??= createLatestRunner();
      instanceRuns.current(async () => {
        const { fill, outline } = await instancesOverlay(inst.labels, inst.count, set.width, set.height);
        if (layersRef.current !== set || asked !== instancesAsked.current) {
          fill.close();
          outline.close();
          return;
        }
        replace(set, 'instances', fill);
        replace(set, 'outline', outline);
        set.instancesFor = predKey;
        redraw();
      });
      return;
    }
    if (set.instancesFor !== predKey) {
      // Stale instances of the same prediction stay until the new ones arrive (no flicker while the
      // threshold slider moves); instances of another model's prediction go at once.
      instancesAsked.current++;
      replace(set, 'instances', null);
      replace(set, 'outline', null);
      set.instancesFor = null;
    }
    redraw();
  }, [id, instKey, predKey, instancesVersion, redraw, layersRef]);

  // Labels changed outside the viewer's own strokes (undo, redo, accept, class colours).
  useEffect(() => {
    const set = layersRef.current;
    const px = getPixels(id);
    if (!set || !px?.labels || !set.labels || (dirty.id !== null && dirty.id !== id)) return;
    const rect = dirty.rect ?? { x: 0, y: 0, width: set.width, height: set.height };
    drawLabelRect(set.labels, px.labels, rect, colours(classes), px.heldOut);
    redraw();
  }, [id, dirty, classes, redraw, layersRef]);

  // The validation split changed: redraw the whole label layer with the held-out strokes hatched.
  useEffect(() => {
    const set = layersRef.current;
    const px = getPixels(id);
    if (!set || !px?.labels || !set.labels || set.id !== id) return;
    set.labels.getContext('2d')?.clearRect(0, 0, set.width, set.height);
    drawLabelRect(set.labels, px.labels, { x: 0, y: 0, width: set.width, height: set.height }, colours(useStudio.getState().classes), px.heldOut);
    redraw();
  }, [id, heldOutVersion, redraw, layersRef]);
}

/** Puts an overlay in the set and frees the bitmap it replaces (the next frame draws the new one). */
function replace(set: LayerSet, kind: 'probability' | 'instances' | 'outline', bitmap: ImageBitmap | null): void {
  const old = set[kind];
  set[kind] = bitmap;
  if (old && old !== bitmap) old.close();
}

/** Background and foreground colours, in label-value order. */
export function colours(classes: readonly [{ color: string }, { color: string }]): [string, string] {
  return [classes[0].color, classes[1].color];
}
