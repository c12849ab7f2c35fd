import { create } from 'zustand';
import { createBackendSlice, type BackendSlice } from './backendSlice';
import { createStatusSlice, type StatusSlice } from './statusSlice';

/** The whole app state: typed slices combined into one store. */
export type StudioState = BackendSlice & StatusSlice;

export const useStudio = create<StudioState>()((...a) => ({
  ...createBackendSlice(...a),
  ...createStatusSlice(...a),
}));
