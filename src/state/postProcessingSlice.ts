import type { StateCreator } from 'zustand';
import { modelPostProcessing, plainPostProcessing, validatePostProcessing, type PostProcessing } from '../image/postProcessing';
import type { StudioState } from './store';

/**
 * Post-processing settings (how a probability map becomes objects; src/image/postProcessing.ts), per
 * model: a model starts from its card's `postProcessing`, else the defaults of its kind, exactly as
 * `npm run segment` and `npm run evaluate` do, and the user may change each field. Only changed models
 * have an entry, and entries are plain JSON (persistable as they are). Changing them re-labels the
 * shown image from its cached probability; the model does not run again.
 */
export interface PostProcessingSlice {
  /** Settings the user changed, by model id. */
  postProcessing: Record<string, PostProcessing>;
  /** Changes fields of model `modelId`'s settings; invalid values are refused with a message. */
  setPostProcessing(modelId: string, change: Partial<PostProcessing>): void;
  /** Back to the model's own settings (its card's, else the defaults). */
  resetPostProcessing(modelId: string): void;
  /** The objects of earlier versions (threshold + connected components, nothing else), like `--plain`. */
  usePlainPostProcessing(modelId: string): void;
}

export const initialPostProcessingState = { postProcessing: {} as Record<string, PostProcessing> };

type SettingsReader = Pick<StudioState, 'postProcessing' | 'loaded' | 'model'>;

/** The settings model `modelId` uses now: the user's, else its card's, else the defaults; null while it is not loaded. */
export function modelSettings(state: SettingsReader, modelId: string | null): PostProcessing | null {
  if (!modelId) return null;
  const own = state.postProcessing[modelId];
  if (own) return own;
  const loaded = state.loaded[modelId] ?? (state.model?.id === modelId ? state.model : null);
  if (!loaded) return null;
  // One object per card: React selectors compare by identity, and a fresh default each call would loop.
  let settings = cardSettings.get(loaded.card);
  if (!settings) {
    settings = modelPostProcessing(loaded.card);
    cardSettings.set(loaded.card, settings);
  }
  return settings;
}

const cardSettings = new WeakMap<object, PostProcessing>();

export const createPostProcessingSlice: StateCreator<StudioState, [], [], PostProcessingSlice> = (set, get) => {
  const store = (modelId: string, next: PostProcessing | null): void => {
    set((s) => {
      const postProcessing = { ...s.postProcessing };
      if (next) postProcessing[modelId] = next;
      else delete postProcessing[modelId];
      return { postProcessing };
    });
    get().scheduleInstances(get().selectedId);
  };
  return {
    ...initialPostProcessingState,

    setPostProcessing(modelId, change) {
      const current = modelSettings(get(), modelId);
      if (!current) return;
      try {
        store(modelId, validatePostProcessing({ ...current, ...change }));
      } catch (error) {
        get().notify('warning', error instanceof Error ? error.message : String(error));
      }
    },

    resetPostProcessing(modelId) {
      store(modelId, null);
    },

    usePlainPostProcessing(modelId) {
      const current = modelSettings(get(), modelId);
      if (current) store(modelId, plainPostProcessing(current.objects));
    },
  };
};
