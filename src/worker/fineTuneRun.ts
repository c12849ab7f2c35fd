import { normalizePlane, type NormalizationSpec } from '../image/normalize';
import type { FloatPlane } from '../image/types';
import { sampleAtScale } from '../model/fineTuneScale';
import type { FineTuneSample } from '../model/fineTuneTypes';
import type { FineTuneImage, PreviewRegion } from './protocol';

/**
 * The mutable side of one fine-tune run in the worker: the painted images (normalised once), label updates
 * that arrive while it trains, the region to preview, a pending "preview now", and Stop. The training job
 * reads it between steps; `updateFineTune` and `stopFineTune` (immediate commands) write it. No tfjs here.
 */
export interface FineTuneRun {
  /** The samples as they are now. */
  samples(): FineTuneSample[];
  /** The samples if labels changed since the last call (fineTune's pollSamples), else null. */
  takeChangedSamples(): FineTuneSample[] | null;
  update(images: readonly FineTuneImage[]): void;
  /** The preview region with its plane normalised as the whole image is, and the scale its image trains at. */
  previewRegion(): { readonly region: PreviewRegion; readonly plane: FloatPlane; readonly scale: number } | null;
  setPreviewRegion(region: PreviewRegion): void;
  requestPreview(): void;
  /** True once after requestPreview(). */
  takePreviewRequest(): boolean;
  /** Aborted by stop() (and by the request's own cancel): fineTune stops after its current step. */
  readonly signal: AbortSignal;
  stop(): void;
  /** The last step reported (for an on-demand preview's label). */
  step: number;
}

interface Held {
  readonly name: string;
  /** Normalised, at the image's own size. */
  readonly image: FloatPlane;
  labels: Uint8Array;
  validation?: Uint8Array;
  /** The factor the image is segmented at. */
  readonly scale: number;
  /** What the trainer sees: the above at `scale`, made once per change (its image object stays the same). */
  sample: FineTuneSample;
}

function checkSize(what: string, name: string, data: { length: number }, plane: FloatPlane): void {
  if (data.length !== plane.width * plane.height) {
    throw new RangeError(`${what} of ${name} hold ${data.length} values for a ${plane.width}x${plane.height} image`);
  }
}

/**
 * Starts the state of a run over `images`, normalised with the model card's spec; `cancel` also stops it.
 * `grid` is the model's pooling grid (2^depth for a valid U-Net): preview crops must start on it.
 */
export function createFineTuneRun(images: readonly FineTuneImage[], normalization: NormalizationSpec, cancel: AbortSignal, grid = 1): FineTuneRun {
  const held = new Map<string, Held>();
  let changed = false;
  let preview: { region: PreviewRegion; plane: FloatPlane } | null = null;
  let previewWanted = false;
  const stopper = new AbortController();
  if (cancel.aborted) stopper.abort();
  else cancel.addEventListener('abort', () => stopper.abort(), { once: true });

  const atScale = (h: Pick<Held, 'name' | 'image' | 'labels' | 'validation' | 'scale'>, resized?: FloatPlane): FineTuneSample =>
    sampleAtScale({ image: h.image, labels: h.labels, ...(h.validation ? { validation: h.validation } : {}), name: h.name }, h.scale, resized);

  const update = (list: readonly FineTuneImage[]): void => {
    for (const item of list) {
      const existing = held.get(item.imageId);
      if (item.image) {
        if (item.image.data.length !== item.image.width * item.image.height) {
          throw new RangeError(`image ${item.name} has ${item.image.data.length} values for ${item.image.width}x${item.image.height} pixels`);
        }
        const scale = item.scale ?? 1;
        if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`the scale of ${item.name} must be a positive number, got ${scale}`);
        const image = normalizePlane(item.image, normalization);
        checkSize('labels', item.name, item.labels, image);
        if (item.validation) checkSize('held-out labels', item.name, item.validation, image);
        const base = { name: item.name, image, labels: item.labels, validation: item.validation, scale };
        held.set(item.imageId, { ...base, sample: atScale(base) });
      } else if (existing) {
        checkSize('labels', item.name, item.labels, existing.image);
        if (item.validation) checkSize('held-out labels', item.name, item.validation, existing.image);
        // Resized before anything is replaced: a bad update leaves the run as it was.
        const next = { ...existing, labels: item.labels, validation: item.validation ?? existing.validation };
        existing.sample = atScale(next, existing.sample.image);
        existing.labels = next.labels;
        existing.validation = next.validation;
      } else {
        throw new Error(`Labels for ${item.name} came without its image: the run has not seen this image yet.`);
      }
      changed = true;
    }
  };

  update(images);
  changed = false;

  return {
    samples: () => [...held.values()].map((h) => h.sample),
    takeChangedSamples() {
      if (!changed) return null;
      changed = false;
      return [...held.values()].map((h) => h.sample);
    },
    update,
    previewRegion: () => (preview ? { ...preview, scale: preview.region.scale ?? held.get(preview.region.imageId)?.scale ?? 1 } : null),
    setPreviewRegion(region) {
      const { plane, range } = region;
      if (region.x % grid !== 0 || region.y % grid !== 0) {
        throw new RangeError(`preview crop at (${region.x}, ${region.y}) is off the model's ${grid} px pooling grid`);
      }
      if (plane.data.length !== plane.width * plane.height) {
        throw new RangeError(`preview region has ${plane.data.length} values for ${plane.width}x${plane.height} pixels`);
      }
      if (region.scale !== undefined && !(region.scale > 0 && Number.isFinite(region.scale))) {
        throw new RangeError(`the preview's scale must be a positive number, got ${region.scale}`);
      }
      preview = { region, plane: normalizePlane(plane, { mode: 'fixed', min: range.min, max: range.max }) };
    },
    requestPreview() {
      previewWanted = true;
    },
    takePreviewRequest() {
      const wanted = previewWanted;
      previewWanted = false;
      return wanted;
    },
    signal: stopper.signal,
    stop: () => stopper.abort(),
    step: 0,
  };
}
