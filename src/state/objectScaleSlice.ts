import type { StateCreator } from 'zustand';
import { scaleForDiameter } from '../image/objectDiameter';
import type { LoadedModel, ObjectScaleReport } from '../worker/protocol';
import type { StudioState } from './store';

/** The object diameter an image is segmented at: px, estimated per image ('auto'), or not rescaled ('off'). */
export type DiameterChoice = number | 'auto' | 'off';

/**
 * Object scale per image (issue 10): the model rescales an image so its objects match the model's training
 * diameter. The estimate of each image's diameter comes back with its segmentation; the user may set the
 * diameter instead (or switch rescaling off), which makes a new prediction (the choice is part of its key).
 */
export interface ObjectScaleSlice {
  /** The user's choice per image; absent = the model's default (see diameterChoice). */
  diameterOverrides: Record<string, DiameterChoice>;
  /** What the last segmentation of each image measured and used. */
  objectScales: Record<string, ObjectScaleReport>;
  setDiameterOverride(id: string, choice: DiameterChoice | null): void;
  recordObjectScale(id: string, report: ObjectScaleReport | undefined): void;
}

export const initialObjectScaleState = {
  diameterOverrides: {} as Record<string, DiameterChoice>,
  objectScales: {} as Record<string, ObjectScaleReport>,
};

/**
 * The diameter choice for an image under a model: the user's, else 'auto' where the card asks for it,
 * else 'off'. A model without a training diameter is never rescaled.
 */
export function diameterChoice(overrides: Record<string, DiameterChoice>, id: string, card: Pick<LoadedModel['card'], 'objectDiameter' | 'rescale'> | undefined): DiameterChoice {
  if (card?.objectDiameter === undefined) return 'off';
  return overrides[id] ?? (card.rescale === 'auto' ? 'auto' : 'off');
}

/**
 * The factor a fine-tune of `card` trains an image at: the scale its segmentation under that card uses
 * (src/model/fineTuneScale.ts). The user's diameter gives it directly; 'auto' takes the last segmentation's
 * scale (or, when that was made for another training diameter, the scale of its estimate under this one).
 * 1 when rescaling is off, the card has no training diameter, or the image has no estimate yet.
 */
export function trainingScale(
  overrides: Record<string, DiameterChoice>,
  reports: Record<string, ObjectScaleReport>,
  id: string,
  card: Pick<LoadedModel['card'], 'objectDiameter' | 'rescale'> | undefined,
): number {
  const target = card?.objectDiameter;
  const choice = diameterChoice(overrides, id, card);
  if (choice === 'off' || target === undefined) return 1;
  if (typeof choice === 'number') return scaleForDiameter(choice, target);
  const report = reports[id];
  if (!report || report.diameter === null) return 1;
  return report.trainingDiameter === target ? report.scale : scaleForDiameter(report.diameter, target);
}

/** The part of a prediction's cache key that the object scale adds ('' when not rescaled). */
export function diameterKey(choice: DiameterChoice): string {
  return choice === 'off' ? '' : `|d=${choice}`;
}

export const createObjectScaleSlice: StateCreator<StudioState, [], [], ObjectScaleSlice> = (set) => ({
  ...initialObjectScaleState,

  setDiameterOverride(id, choice) {
    set((s) => {
      const next = { ...s.diameterOverrides };
      if (choice === null) delete next[id];
      else next[id] = choice;
      return { diameterOverrides: next };
    });
  },

  recordObjectScale(id, report) {
    set((s) => {
      const next = { ...s.objectScales };
      if (report) next[id] = report;
      else delete next[id];
      return { objectScales: next };
    });
  },
});
