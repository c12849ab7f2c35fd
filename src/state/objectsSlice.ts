import type { StateCreator } from 'zustand';
import { getPixels } from './pixels';
import type { StudioState } from './store';
import { focusView } from './viewMath';

/** One object of one image, picked in the measurement table. */
export interface ObjectHighlight {
  readonly imageId: string;
  readonly objectId: number;
  /** Its bounding box (image pixels). */
  readonly box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
}

/** Locating objects from the measurement table: the viewer pans and zooms to one and outlines it. */
export interface ObjectsSlice {
  highlight: ObjectHighlight | null;
  /** Shows image `imageId`'s object `objectId` (from its current measurements) and highlights it. */
  locateObject(imageId: string, objectId: number): void;
  clearHighlight(): void;
}

export const initialObjectsState = { highlight: null as ObjectHighlight | null };

export const createObjectsSlice: StateCreator<StudioState, [], [], ObjectsSlice> = (set, get) => ({
  ...initialObjectsState,

  locateObject(imageId, objectId) {
    const row = getPixels(imageId)?.instances?.measurements.find((m) => m.id === objectId);
    if (!row) return;
    const box = { x: row.bboxX, y: row.bboxY, width: row.bboxWidth, height: row.bboxHeight };
    if (get().selectedId !== imageId) get().selectImage(imageId);
    const { width, height } = get().viewport;
    get().setView(imageId, focusView(box, width, height));
    set({ highlight: { imageId, objectId, box } });
  },

  clearHighlight() {
    set({ highlight: null });
  },
});
