import { enclosedCells } from './cells';
import type { Components } from './components';
import type { Connectivity } from './neighbours';
import { foregroundObjects } from './splitObjects';

/**
 * Post-processing: how a probability map becomes objects. One typed settings object, shared by the
 * app, `npm run segment` and `npm run evaluate` so that all three count the same objects; a model card
 * may carry its own (`postProcessing`), and command-line flags override single fields.
 *
 * Two kinds of objects:
 * - 'foreground' (nuclei): the pieces of the thresholded foreground, holes filled, touching objects
 *   split by a watershed of the distance map from its h-maxima (splitObjects.ts).
 * - 'cells' (EM membranes): the regions the foreground (membrane) encloses, by a watershed of the
 *   smoothed membrane probability from its h-minima (cells.ts).
 */

/** What the objects of a probability map are. */
export type ObjectKind = 'foreground' | 'cells';

/** How touching objects are separated. */
export type SplitMethod = 'none' | 'watershed';

/**
 * Post-processing settings; every field is used by both kinds unless its comment says otherwise. Pixel
 * values (σ, h of 'foreground', the sizes) are in the model's pixels: for an image segmented at an object
 * scale other than 1 they are converted by {@link atObjectScale}.
 */
export interface PostProcessing {
  readonly objects: ObjectKind;
  /** Foreground (nuclei, or membrane for 'cells') where the smoothed probability >= threshold. */
  readonly threshold: number;
  /** σ in pixels of a Gaussian blur of the probability before anything else; 0 = none. */
  readonly smoothing: number;
  /** 'foreground' only: fill holes (background not connected to the image border) before splitting. */
  readonly fillHoles: boolean;
  /** 'foreground' only: holes larger than this many pixels stay background; 0 = fill every hole. */
  readonly maxHoleSize: number;
  /**
   * 'none': objects are the connected pieces of the foreground ('cells': of the non-membrane pixels).
   * 'watershed': 'foreground' splits touching objects along the valleys of the distance map;
   * 'cells' floods the membrane probability from its minima, so every pixel belongs to a cell.
   */
  readonly split: SplitMethod;
  /**
   * Seed depth of the watershed. 'foreground': in pixels of distance to the background (a neck must be
   * more than h narrower than both objects' centres to split them). 'cells': in probability (a minimum
   * must lie more than h below the membrane that separates it from a deeper one).
   */
  readonly h: number;
  /** Objects smaller than this (pixels) join the neighbour they share most border with, or are dropped when alone. */
  readonly minSize: number;
  /** Pixel neighbourhood of objects and of the flooding. */
  readonly connectivity: Connectivity;
}

/**
 * Defaults per kind. 'foreground': chosen on the DSB 2018 640x512 group and checked on the held-out
 * 360x360 group; 'cells': chosen on ISBI 2012 slices 15-19 and checked on 20-24 (README, "Objects").
 */
export function defaultPostProcessing(objects: ObjectKind): PostProcessing {
  return objects === 'cells'
    ? { objects, threshold: 0.5, smoothing: 3, fillHoles: false, maxHoleSize: 0, split: 'watershed', h: 0.1, minSize: 50, connectivity: 4 }
    : { objects, threshold: 0.5, smoothing: 2, fillHoles: true, maxHoleSize: 0, split: 'watershed', h: 2, minSize: 15, connectivity: 4 };
}

/** Nuclei (and generic) models have foreground objects; membrane models have cells. */
export function objectKindForTask(task: 'nuclei' | 'membranes' | 'generic'): ObjectKind {
  return task === 'membranes' ? 'cells' : 'foreground';
}

/** A model's own settings: its card's `postProcessing`, else the defaults of its task's kind (as segment and evaluate start). */
export function modelPostProcessing(card: { readonly task: 'nuclei' | 'membranes' | 'generic'; readonly postProcessing?: PostProcessing }): PostProcessing {
  const kind = objectKindForTask(card.task);
  return card.postProcessing?.objects === kind ? card.postProcessing : defaultPostProcessing(kind);
}

/** The settings that reproduce the objects of earlier versions: threshold, connected components, nothing else. */
export function plainPostProcessing(objects: ObjectKind): PostProcessing {
  return { ...defaultPostProcessing(objects), smoothing: 0, fillHoles: false, split: 'none', minSize: 0 };
}

function fail(field: string, message: string): never {
  throw new RangeError(`post-processing: ${field} ${message}`);
}

/** Checks every field; the error names the field and the accepted values. */
export function validatePostProcessing(p: PostProcessing): PostProcessing {
  if (p.objects !== 'foreground' && p.objects !== 'cells') fail('objects', `must be 'foreground' or 'cells', got ${String(p.objects)}`);
  if (!(p.threshold >= 0 && p.threshold <= 1)) fail('threshold', `must be in [0, 1], got ${p.threshold}`);
  if (!(p.smoothing >= 0 && p.smoothing <= 50)) fail('smoothing', `must be in [0, 50] pixels, got ${p.smoothing}`);
  if (typeof p.fillHoles !== 'boolean') fail('fillHoles', `must be true or false, got ${String(p.fillHoles)}`);
  if (!(Number.isInteger(p.maxHoleSize) && p.maxHoleSize >= 0)) fail('maxHoleSize', `must be an integer >= 0, got ${p.maxHoleSize}`);
  if (p.split !== 'none' && p.split !== 'watershed') fail('split', `must be 'none' or 'watershed', got ${String(p.split)}`);
  if (!(p.h >= 0 && Number.isFinite(p.h))) fail('h', `must be a number >= 0, got ${p.h}`);
  if (!(Number.isInteger(p.minSize) && p.minSize >= 0)) fail('minSize', `must be an integer >= 0, got ${p.minSize}`);
  if (p.connectivity !== 4 && p.connectivity !== 8) fail('connectivity', `must be 4 or 8, got ${String(p.connectivity)}`);
  return p;
}

/**
 * Settings from untrusted JSON (a model card): missing fields take the defaults of the kind (the
 * record's own `objects`, else `objects`), unknown fields are ignored, wrong values are errors.
 */
export function parsePostProcessing(value: unknown, objects: ObjectKind): PostProcessing {
  if (value === undefined || value === null) return defaultPostProcessing(objects);
  if (typeof value !== 'object' || Array.isArray(value)) throw new RangeError('post-processing must be an object');
  const record = value as Record<string, unknown>;
  const kind = record.objects === undefined ? objects : (record.objects as ObjectKind);
  const base = defaultPostProcessing(kind === 'cells' ? 'cells' : 'foreground');
  const pick = <K extends keyof PostProcessing>(key: K): PostProcessing[K] =>
    (record[key] === undefined ? base[key] : record[key]) as PostProcessing[K];
  return validatePostProcessing({
    objects: kind,
    threshold: pick('threshold'),
    smoothing: pick('smoothing'),
    fillHoles: pick('fillHoles'),
    maxHoleSize: pick('maxHoleSize'),
    split: pick('split'),
    h: pick('h'),
    minSize: pick('minSize'),
    connectivity: pick('connectivity'),
  });
}

/**
 * The settings for a map made at object scale `scale` (src/model/objectScale.ts: the image was resized by
 * `scale` so that its objects had the model's training size). Pixel settings are in the model's pixels:
 * blur σ and, for 'foreground', the seed depth h are divided by the scale, the sizes (minSize, maxHoleSize)
 * by its square, so a nucleus gets the same treatment at any size. Scale 1: the settings themselves.
 * @throws RangeError unless scale is a positive finite number.
 */
export function atObjectScale(settings: PostProcessing, scale: number): PostProcessing {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`object scale must be a positive number, got ${scale}`);
  if (scale === 1) return settings;
  const area = (px: number): number => Math.round(px / (scale * scale));
  return {
    ...settings,
    smoothing: Math.min(50, settings.smoothing / scale),
    h: settings.objects === 'foreground' ? settings.h / scale : settings.h,
    minSize: area(settings.minSize),
    maxHoleSize: area(settings.maxHoleSize),
  };
}

/**
 * Objects of a probability map (foreground probability; for 'cells', membrane probability) under the
 * settings: labels 1..count in scan order.
 * @throws RangeError on invalid settings or when probability.length !== width * height.
 */
export function objectsFromProbability(
  probability: ArrayLike<number>,
  width: number,
  height: number,
  settings: PostProcessing,
): Components {
  validatePostProcessing(settings);
  return settings.objects === 'cells'
    ? enclosedCells(probability, width, height, settings)
    : foregroundObjects(probability, width, height, settings);
}
