/**
 * Command-line flags for the object post-processing (src/image/postProcessing.ts), shared by segment and
 * evaluate so both count objects the same way. The base is the shared default for the model's kind of
 * objects (or, with --plain, the objects of earlier versions: threshold and connected components only);
 * each flag overrides one field.
 */
import {
  defaultPostProcessing,
  plainPostProcessing,
  validatePostProcessing,
  type ObjectKind,
  type PostProcessing,
} from '../src/image/postProcessing';
import { choiceFlag, numberFlag, UsageError } from './args';
import type { OptionSpec, ParsedFlags } from './args';

/** parseArgs spec of the post-processing flags. */
export const POST_PROCESSING_SPEC: OptionSpec = {
  objects: { type: 'string' },
  plain: { type: 'boolean' },
  threshold: { type: 'string' },
  smooth: { type: 'string' },
  'fill-holes': { type: 'boolean' },
  'no-fill-holes': { type: 'boolean' },
  'max-hole': { type: 'string' },
  split: { type: 'string' },
  h: { type: 'string' },
  'min-size': { type: 'string' },
  connectivity: { type: 'string' },
};

/** Usage lines for the flags above. */
export const POST_PROCESSING_USAGE = `         [--objects foreground|cells] [--plain] [--threshold 0.5] [--smooth SIGMA]
         [--fill-holes | --no-fill-holes] [--max-hole PX] [--split none|watershed] [--h N]
         [--min-size PX] [--connectivity 4|8]`;

export { objectKindForTask } from '../src/image/postProcessing';

/** The settings: the model card's (else the defaults of the kind), or --plain, then each given flag. */
export function postProcessingFromFlags(flags: ParsedFlags, kind: ObjectKind, fromCard?: PostProcessing): PostProcessing {
  if (flags['fill-holes'] && flags['no-fill-holes']) throw new UsageError('give --fill-holes or --no-fill-holes, not both');
  const objects = choiceFlag<ObjectKind>(flags, 'objects', ['foreground', 'cells'], kind);
  const base = flags.plain ? plainPostProcessing(objects) : fromCard?.objects === objects ? fromCard : defaultPostProcessing(objects);
  const fillHoles = flags['fill-holes'] ? true : flags['no-fill-holes'] ? false : base.fillHoles;
  const connectivity = choiceFlag(flags, 'connectivity', ['4', '8'] as const, String(base.connectivity) as '4' | '8');
  return validatePostProcessing({
    objects,
    threshold: numberFlag(flags, 'threshold', base.threshold, { min: 0, max: 1 }),
    smoothing: numberFlag(flags, 'smooth', base.smoothing, { min: 0, max: 50 }),
    fillHoles,
    maxHoleSize: numberFlag(flags, 'max-hole', base.maxHoleSize, { integer: true, min: 0 }),
    split: choiceFlag(flags, 'split', ['none', 'watershed'] as const, base.split),
    h: numberFlag(flags, 'h', base.h, { min: 0 }),
    minSize: numberFlag(flags, 'min-size', base.minSize, { integer: true, min: 0 }),
    connectivity: connectivity === '8' ? 8 : 4,
  });
}

/** One line for logs and reports, e.g. "foreground: threshold 0.5, smooth 2, fill holes, watershed h 2, min size 15, 4-connected". */
export function describePostProcessing(p: PostProcessing): string {
  const parts = [`threshold ${p.threshold}`, `smooth ${p.smoothing}`];
  if (p.objects === 'foreground') parts.push(p.fillHoles ? `fill holes${p.maxHoleSize > 0 ? ` up to ${p.maxHoleSize} px` : ''}` : 'no hole filling');
  parts.push(p.split === 'watershed' ? `watershed h ${p.h}` : 'no split', `min size ${p.minSize}`, `${p.connectivity}-connected`);
  return `${p.objects}: ${parts.join(', ')}`;
}
