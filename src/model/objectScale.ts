/**
 * Segmenting at the model's object scale. A U-Net learns objects at the sizes of its training data; on
 * objects several times larger it sees texture instead of shape (holes at dim chromatin that become extra
 * objects). So the image is resized until its objects have the card's `objectDiameter`, segmented with
 * the usual overlap-tile path, and the probability map is resized back to the exact original size.
 *
 * The diameter of a new image is either the user's or estimated from a first pass at scale 1: its
 * objects (the model's own post-processing) and their area-weighted median equivalent diameter
 * (src/image/objectDiameter.ts). A first pass at a very wrong scale misses or fragments objects, so when
 * it asks for more than a 2x change the estimate is measured again on the rescaled pass and, if that
 * disagrees beyond the tolerance, the image is segmented once more at the corrected scale. The scale is
 * clamped (ScaleRule.maxScale, default 2x either way).
 *
 * Objects more than maxScale times the training size are a trade-off: shrunk by the clamp (2x) the model
 * keeps their boundaries but still sees large textured nuclei in pieces (holes at dim chromatin, split
 * by the watershed); shrunk all the way it sees them whole but loses boundary detail. So such an image is
 * also segmented at the scale the diameter asks for (down to 1/fuseMaxScale) and the two maps, both at the
 * original size, are averaged (README, "Two scales for very large nuclei": DSB 640x512 AP@0.5 0.61 -> 0.72 at
 * the card's threshold 0.4, 360x360 0.842 -> 0.835).
 *
 * Independent of the runtime: `run` is any function from normalised planes to the foreground map of
 * the same size (segmentPlane, the ONNX engine, the app's worker).
 */
import { medianObjectDiameter, scaleForDiameter, type ScaleRule } from '../image/objectDiameter';
import { objectsFromProbability, type PostProcessing } from '../image/postProcessing';
import { resizePlane, scaledSize } from '../image/resample';
import type { FloatPlane } from '../image/types';

/**
 * Where a pass stands in the run (for one progress bar over all passes): `pass` is 1-based, `scale` the
 * factor of this pass, `expectedPasses` how many passes the run is expected to take as far as is known
 * when the pass starts (an estimate: an 'auto' run expects its rescaled second pass until the estimate
 * says none is needed; later passes may still be skipped, or, rarely, a third one added).
 */
export interface PassPlan {
  readonly pass: number;
  readonly scale: number;
  readonly expectedPasses: number;
}

/** Foreground probabilities (width * height of the input) of one normalised image; `plan` says which pass it is. */
export type PlaneSegmentFn = (plane: FloatPlane | readonly FloatPlane[], plan?: PassPlan) => Promise<Float32Array>;

/** The plan of a run of one pass at scale 1. */
export const singlePass: PassPlan = { pass: 1, scale: 1, expectedPasses: 1 };

/** A user's diameter in pixels of the original image, estimated ('auto'), or no rescaling ('off'). */
export type DiameterSetting = number | 'auto' | 'off';

/** Options of {@link segmentAtObjectScale}. */
export interface ObjectScaleOptions extends ScaleRule {
  /** The diameter the model was trained at (its card's objectDiameter). */
  readonly trainingDiameter: number;
  readonly diameter: DiameterSetting;
  /** How probabilities become objects for the estimate (the model's post-processing). */
  readonly postProcessing: PostProcessing;
  /**
   * Objects larger than maxScale times the training diameter are also segmented shrunk by up to this
   * factor (default 4), and the two maps averaged; a value <= maxScale turns that off.
   */
  readonly fuseMaxScale?: number;
}

/** A probability map at the original size and how it was obtained. */
export interface ScaledSegmentation {
  readonly probabilities: Float32Array;
  readonly width: number;
  readonly height: number;
  /** The object diameter of the original image (px): the user's, the estimate, or undefined ('off', no objects). */
  readonly diameter: number | undefined;
  readonly source: 'user' | 'estimate' | 'off';
  /** The factor the image was resized by for the final pass (1 = not resized). */
  readonly scale: number;
  /** Forward passes over the image (1-4). */
  readonly passes: number;
  /** The scale of a second map averaged with the one at `scale` (objects beyond the clamp), if any. */
  readonly fusedScale?: number;
}

function planesOf(plane: FloatPlane | readonly FloatPlane[]): readonly FloatPlane[] {
  return Array.isArray(plane) ? plane : [plane as FloatPlane];
}

/**
 * Probabilities of the image segmented at `scale` and mapped back to its exact size; also the map at the
 * scaled size (for measuring objects there) and the scale actually applied after rounding the size.
 */
export async function segmentScaled(
  run: PlaneSegmentFn,
  plane: FloatPlane | readonly FloatPlane[],
  scale: number,
  plan: Omit<PassPlan, 'scale'> = singlePass,
): Promise<{ probabilities: Float32Array; scaled: FloatPlane; scale: number }> {
  const planes = planesOf(plane);
  const { width, height } = planes[0];
  const size = scaledSize(width, height, scale);
  if (size.width === width && size.height === height) {
    const probabilities = await run(plane, { ...plan, scale: 1 });
    return { probabilities, scaled: { width, height, data: probabilities }, scale: 1 };
  }
  const resized = planes.map((p) => resizePlane(p, size.width, size.height));
  const data = await run(Array.isArray(plane) ? resized : resized[0], { ...plan, scale: size.width / width });
  const scaled = { width: size.width, height: size.height, data };
  return { probabilities: resizePlane(scaled, width, height).data, scaled, scale: size.width / width };
}

/** The object diameter of a probability map under the post-processing, or undefined without objects. */
export function diameterOfProbability(map: FloatPlane, postProcessing: PostProcessing): number | undefined {
  const objects = objectsFromProbability(map.data, map.width, map.height, postProcessing);
  return medianObjectDiameter(objects.labels, map.width, map.height);
}

/**
 * The scale of the extra whole-object pass for objects of `diameter`, or undefined when the clamped
 * scale already brings them within the tolerance of the training size (or fusion is off). Only objects
 * too large are fused: growing an image by more than 2x costs more than 4x the pixels.
 */
export function fusionScale(diameter: number, options: ObjectScaleOptions, clampedScale: number): number | undefined {
  const fuseMax = options.fuseMaxScale ?? 4;
  const maxScale = options.maxScale ?? 2;
  if (!(fuseMax > maxScale)) return undefined;
  const wanted = Math.max(1 / fuseMax, options.trainingDiameter / diameter);
  if (wanted >= clampedScale || Math.abs(wanted / clampedScale - 1) <= (options.tolerance ?? 0.15)) return undefined;
  return wanted;
}

/** Averages the clamped pass with a whole-object pass when the objects are beyond the clamp. */
async function withFusion(
  run: PlaneSegmentFn,
  plane: FloatPlane | readonly FloatPlane[],
  result: ScaledSegmentation,
  options: ObjectScaleOptions,
): Promise<ScaledSegmentation> {
  if (result.diameter === undefined) return result;
  const scale = fusionScale(result.diameter, options, result.scale);
  if (scale === undefined) return result;
  const pass = result.passes + 1;
  const coarse = await segmentScaled(run, plane, scale, { pass, expectedPasses: pass });
  const probabilities = new Float32Array(result.probabilities.length);
  for (let i = 0; i < probabilities.length; i++) probabilities[i] = 0.5 * (result.probabilities[i] + coarse.probabilities[i]);
  return { ...result, probabilities, passes: pass, fusedScale: coarse.scale };
}

/** Segments `plane` with its objects brought to the training diameter; the map has the input's size. */
export async function segmentAtObjectScale(
  run: PlaneSegmentFn,
  plane: FloatPlane | readonly FloatPlane[],
  options: ObjectScaleOptions,
): Promise<ScaledSegmentation> {
  return withFusion(run, plane, await segmentClamped(run, plane, options), options);
}

/** One map at the clamped object scale (1-3 passes). */
async function segmentClamped(
  run: PlaneSegmentFn,
  plane: FloatPlane | readonly FloatPlane[],
  options: ObjectScaleOptions,
): Promise<ScaledSegmentation> {
  const { width, height } = planesOf(plane)[0];
  const { trainingDiameter: target, diameter } = options;
  if (!(target > 0)) throw new RangeError(`trainingDiameter must be positive, got ${target}`);
  if (diameter === 'off') {
    return { probabilities: await run(plane, singlePass), width, height, diameter: undefined, source: 'off', scale: 1, passes: 1 };
  }
  if (diameter !== 'auto') {
    if (!(diameter > 0) || !Number.isFinite(diameter)) throw new RangeError(`diameter must be a positive number of pixels, got ${diameter}`);
    const scale = scaleForDiameter(diameter, target, options);
    const expectedPasses = fusionScale(diameter, options, scale) === undefined ? 1 : 2;
    const pass = await segmentScaled(run, plane, scale, { pass: 1, expectedPasses });
    return { probabilities: pass.probabilities, width, height, diameter, source: 'user', scale: pass.scale, passes: 1 };
  }
  const first = await run(plane, { pass: 1, scale: 1, expectedPasses: 2 });
  const estimate = diameterOfProbability({ width, height, data: first }, options.postProcessing);
  const done = (probabilities: Float32Array, d: number | undefined, scale: number, passes: number): ScaledSegmentation => ({
    probabilities, width, height, diameter: d, source: 'estimate', scale, passes,
  });
  if (estimate === undefined) return done(first, undefined, 1, 1);
  const scale = scaleForDiameter(estimate, target, options);
  if (scale === 1) return done(first, estimate, 1, 1);
  const wanted = target / estimate;
  // Within 2x the first estimate is trusted; beyond it a third pass may follow (see below).
  const settled = wanted >= 0.5 && wanted <= 2;
  const second = await segmentScaled(run, plane, scale, { pass: 2, expectedPasses: settled ? 2 : 3 });
  if (settled) return done(second.probabilities, estimate, second.scale, 2);
  // A very wrong first scale: measure again where the objects are now near the training size.
  const atScale = diameterOfProbability(second.scaled, options.postProcessing);
  if (atScale === undefined) return done(second.probabilities, estimate, second.scale, 2);
  const refined = atScale / second.scale;
  const again = scaleForDiameter(refined, target, options);
  if (again === 1) return done(first, refined, 1, 2);
  if (Math.abs(again / second.scale - 1) <= (options.tolerance ?? 0.15) || again === scale) {
    return done(second.probabilities, refined, second.scale, 2);
  }
  const third = await segmentScaled(run, plane, again, { pass: 3, expectedPasses: 3 });
  return done(third.probabilities, refined, third.scale, 3);
}
