import { create } from 'zustand';
import { createBackendSlice, type BackendSlice } from './backendSlice';
import { createModelSlice, type ModelSlice } from './modelSlice';
import { createStatusSlice, type StatusSlice } from './statusSlice';

/** The whole app state: typed slices combined into one store. */
export type StudioState = BackendSlice & StatusSlice & ModelSlice;

export const useStudio = create<StudioState>()((...a) => ({
  ...createBackendSlice(...a),
  ...createStatusSlice(...a),
  ...createModelSlice(...a),
}));
