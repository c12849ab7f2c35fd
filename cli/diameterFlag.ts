/**
 * `--diameter N|auto|off` of segment and evaluate: the object diameter of the input images in pixels
 * (the image is resized so it matches the model's training diameter, card.objectDiameter), `auto` to
 * estimate it per image from a first pass, or `off`. Default: the card's `rescale` choice.
 */
import type { PostProcessing } from '../src/image/postProcessing';
import type { FloatPlane } from '../src/image/types';
import { segmentAtObjectScale, type DiameterSetting, type ScaledSegmentation } from '../src/model/objectScale';
import type { ModelCard } from '../src/model/types';
import { optionalString, UsageError, type OptionSpec, type ParsedFlags } from './args';
import type { Engine, EngineSegmentOptions } from './engine';

export const DIAMETER_SPEC: OptionSpec = { diameter: { type: 'string' }, 'no-fuse': { type: 'boolean' } };

export const DIAMETER_USAGE = `         [--diameter N|auto|off (object diameter in px; rescales to the model's training diameter; default: the card's choice)]
         [--no-fuse (objects over 2x the training size: only the map at the 2x clamp, not averaged with one at their own scale)]`;

/** Said after the settings where images may be rescaled: their pixel values apply at each image's scale (atObjectScale). */
export const MODEL_PIXELS = " (σ, h and sizes in the model's pixels: scaled per image)";

/** fuseMaxScale of the object scale: 0 (off) with --no-fuse, else the default. */
export function fuseMaxScaleFromFlags(flags: ParsedFlags): number | undefined {
  return flags['no-fuse'] === true ? 0 : undefined;
}

/** The diameter setting from the flag, or the card's default ('auto' when it says so, else 'off'). */
export function diameterFromFlags(flags: ParsedFlags, card: ModelCard | undefined): DiameterSetting {
  const s = optionalString(flags, 'diameter');
  const fallback: DiameterSetting = card?.rescale === 'auto' && card.objectDiameter !== undefined ? 'auto' : 'off';
  if (s === undefined || s === 'off') return s === 'off' ? 'off' : fallback;
  if (card !== undefined && card.objectDiameter === undefined) {
    throw new UsageError(`--diameter needs the model's training diameter: its card has no objectDiameter (npm run diameter -- --write-card MODEL_DIR)`);
  }
  if (s === 'auto') return 'auto';
  const v = Number(s);
  if (s.trim() === '' || !Number.isFinite(v) || v <= 0) throw new UsageError(`--diameter must be a positive number of pixels, 'auto' or 'off', got '${s}'`);
  return v;
}

/** Segments one normalised image with the engine at the chosen object scale. */
export function segmentWithDiameter(
  engine: Engine,
  plane: FloatPlane,
  diameter: DiameterSetting,
  postProcessing: PostProcessing,
  options: EngineSegmentOptions,
  fuseMaxScale?: number,
): Promise<ScaledSegmentation> {
  const run = async (p: FloatPlane | readonly FloatPlane[]): Promise<Float32Array> => (await engine.segment(p, options)).probabilities;
  return segmentAtObjectScale(run, plane, {
    trainingDiameter: engine.card.objectDiameter ?? 1,
    diameter,
    postProcessing,
    ...(fuseMaxScale !== undefined ? { fuseMaxScale } : {}),
  });
}

/** "object diameter 61.2 px (estimate), scale 0.500, averaged with scale 0.247" for the logs. */
export function describeScale(s: ScaledSegmentation): string {
  if (s.source === 'off') return 'no rescaling';
  const d = s.diameter === undefined ? 'no objects to estimate from' : `object diameter ${s.diameter.toFixed(1)} px (${s.source})`;
  const fused = s.fusedScale === undefined ? '' : `, averaged with scale ${s.fusedScale.toFixed(3)}`;
  return `${d}, scale ${s.scale === 1 ? '1 (not resized)' : s.scale.toFixed(3)}${fused}`;
}
