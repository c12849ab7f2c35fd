import { toSingleChannel } from '../image/normalize';
import { splitRegions } from '../image/regionSplit';
import type { FineTuneImage, LoadedModel, PreviewRegion } from '../worker/protocol';
import { trainingScale } from './objectScaleSlice';
import { getPixels } from './pixels';
import { SPLIT_SEED } from './splitSlice';
import { currentPrediction } from './predictions';
import { cropPlane, normalizationRange, previewCrop } from './previewRegion';
import type { StudioState } from './store';
import type { PaintedSummary } from './trainingChecks';
import { fitView, visibleImageBox } from './viewMath';

/*
 * The main thread's side of one fine-tune run: which labels go to the worker (training labels, held-out
 * labels frozen at the start), which images the worker already has, label edits waiting to be sent, and
 * the preview region of what the user looks at. Kept outside the store: it holds buffers and timers.
 */

export interface RunContext {
  readonly runId: string;
  /** The card of the model being tuned (its object scale decides the scale each image trains at). */
  readonly parentCard: LoadedModel['card'];
  /** Id and name the run's model gets. */
  readonly modelId: string;
  readonly name: string;
  /** Aborting discards the run (only before it started; Stop keeps what it learnt). */
  readonly controller: AbortController;
  /** Held-out labels per image, frozen at the start: later strokes only train. Null: all labels train. */
  readonly validation: Map<string, Uint8Array | null>;
  /** Images whose plane the worker has. */
  readonly sent: Set<string>;
  /** Images edited since the last label update. */
  readonly dirty: Set<string>;
  /** Whole-image normalisation range per image (for previews). */
  readonly ranges: Map<string, { min: number; max: number }>;
  /** True once the worker reported the run's first event (it accepts updates from then on). */
  started: boolean;
  flushTimer: ReturnType<typeof setTimeout> | null;
  regionTimer: ReturnType<typeof setTimeout> | null;
  unsubscribe: () => void;
}

/** Labels minus the held-out pixels: what the optimiser may see. */
export function trainingLabels(labels: Uint8Array, validation: Uint8Array | null): Uint8Array {
  const out = labels.slice();
  if (validation) for (let i = 0; i < out.length; i++) if (validation[i] !== 0) out[i] = 0;
  return out;
}

/** Background / foreground pixels and the split's region counts over every painted image. */
export function summarisePainted(state: StudioState, useAll: boolean): PaintedSummary {
  let images = 0;
  let background = 0;
  let foreground = 0;
  let regions = 0;
  let heldOutRegions = 0;
  for (const image of state.images) {
    const stats = state.labelStats[image.id];
    if (!stats || stats.background + stats.foreground === 0) continue;
    images++;
    background += stats.background;
    foreground += stats.foreground;
    const split = state.splits[image.id];
    regions += split?.regions ?? 0;
    heldOutRegions += useAll ? 0 : (split?.heldOutRegions ?? 0);
  }
  return { images, background, foreground, regions, heldOutRegions };
}

/**
 * The scale painted images are fine-tuned at: 1, their own pixels. Training at the scale each image is
 * segmented at (the worker supports it: FineTuneImage.scale) was measured against this on DSB 640x512
 * (bench/finetuneScale.ts, README "Object scale"): a tie with squares, worse with scribbles, so it is not
 * the default until a benchmark shows a gain. The preview still runs at the segmentation's scale.
 */
const FINE_TUNE_SCALE = 1;

/**
 * The painted images as the run's first message: planes, training labels and held-out labels (all fresh
 * buffers, transferred). Held-out labels come from the same region split the panel shows.
 */
export function collectImages(state: StudioState, ctx: RunContext, useAll: boolean, fraction: number): { images: FineTuneImage[]; transfer: ArrayBuffer[] } {
  const images: FineTuneImage[] = [];
  const transfer: ArrayBuffer[] = [];
  for (const image of state.images) {
    const px = getPixels(image.id);
    if (!px?.labels || !px.labels.data.some((v) => v !== 0)) continue;
    const { width, height } = px.raster;
    const split = useAll ? null : splitRegions(px.labels.data, width, height, { fraction, seed: SPLIT_SEED });
    const labels = split ? split.train : px.labels.data.slice();
    const validation = split && split.heldOutRegions > 0 ? split.validation : null;
    ctx.validation.set(image.id, validation ? validation.slice() : null);
    ctx.sent.add(image.id);
    const plane = toSingleChannel(px.raster, image.channel);
    images.push({ imageId: image.id, name: image.name, image: plane, labels, ...(validation ? { validation } : {}), scale: FINE_TUNE_SCALE });
    transfer.push(plane.data.buffer as ArrayBuffer, labels.buffer as ArrayBuffer, ...(validation ? [validation.buffer as ArrayBuffer] : []));
  }
  return { images, transfer };
}

/** Label updates of the edited images (new images with their plane), taking them off the dirty list. */
export function takeLabelUpdates(state: StudioState, ctx: RunContext): { images: FineTuneImage[]; transfer: ArrayBuffer[] } {
  const images: FineTuneImage[] = [];
  const transfer: ArrayBuffer[] = [];
  for (const id of ctx.dirty) {
    const px = getPixels(id);
    const entry = state.images.find((i) => i.id === id);
    if (!px?.labels || !entry) continue;
    const labels = trainingLabels(px.labels.data, ctx.validation.get(id) ?? null);
    transfer.push(labels.buffer as ArrayBuffer);
    if (ctx.sent.has(id)) {
      images.push({ imageId: id, name: entry.name, labels });
    } else {
      const plane = toSingleChannel(px.raster, entry.channel);
      transfer.push(plane.data.buffer as ArrayBuffer);
      images.push({ imageId: id, name: entry.name, image: plane, labels, scale: FINE_TUNE_SCALE });
      ctx.sent.add(id);
    }
  }
  ctx.dirty.clear();
  return { images, transfer };
}

/** The preview region of the selected image as the user sees it now (null without a visible image). */
export function currentPreviewRegion(state: StudioState, ctx: RunContext, model: LoadedModel): { region: PreviewRegion; transfer: ArrayBuffer[] } | null {
  const id = state.selectedId;
  const image = state.images.find((i) => i.id === id);
  const px = getPixels(id);
  if (!id || !image || !px) return null;
  const { viewport } = state;
  const view = state.views[id] ?? fitView(image.width, image.height, viewport.width, viewport.height);
  const visible = visibleImageBox(view, viewport.width, viewport.height, image.width, image.height);
  const { architecture } = model.card;
  const grid = architecture.padding === 'valid' ? 2 ** architecture.depth : 1;
  const box = previewCrop(visible, model.margin, grid, image.width, image.height);
  if (!box) return null;
  const plane = toSingleChannel(px.raster, image.channel);
  let range = ctx.ranges.get(id);
  if (!range) {
    range = normalizationRange(plane, model.card.normalization);
    ctx.ranges.set(id, range);
  }
  const crop = cropPlane(plane, box.crop);
  const scale = trainingScale(state.diameterOverrides, state.objectScales, id, ctx.parentCard);
  return { region: { imageId: id, x: box.crop.x, y: box.crop.y, plane: crop, inner: box.inner, range, scale }, transfer: [crop.data.buffer as ArrayBuffer] };
}

/** Pastes a preview into the image's shown probability map (started from its last prediction). */
export function applyPreview(state: StudioState, preview: { imageId: string; x: number; y: number; width: number; height: number; probabilities: Float32Array }): boolean {
  const px = getPixels(preview.imageId);
  if (!px) return false;
  const { width, height } = px.raster;
  if (preview.x + preview.width > width || preview.y + preview.height > height) return false;
  if (!px.preview) {
    px.preview = new Float32Array(width * height);
    const base = currentPrediction(state, preview.imageId);
    if (base) px.preview.set(base);
  }
  for (let r = 0; r < preview.height; r++) {
    px.preview.set(preview.probabilities.subarray(r * preview.width, (r + 1) * preview.width), (preview.y + r) * width + preview.x);
  }
  return true;
}
