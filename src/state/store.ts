import { create } from 'zustand';
import { createBackendSlice, type BackendSlice } from './backendSlice';
import { createEvaluationSlice, type EvaluationSlice } from './evaluationSlice';
import { createExportSlice, type ExportSlice } from './exportSlice';
import { createImagesSlice, type ImagesSlice } from './imagesSlice';
import { createLabelsSlice, type LabelsSlice } from './labelsSlice';
import { createLibrarySlice, type LibrarySlice } from './librarySlice';
import { createModelSlice, type ModelSlice } from './modelSlice';
import { createObjectsSlice, type ObjectsSlice } from './objectsSlice';
import { createPostProcessingSlice, type PostProcessingSlice } from './postProcessingSlice';
import { createObjectScaleSlice, type ObjectScaleSlice } from './objectScaleSlice';
import { createPersistSlice, type PersistSlice } from './persistSlice';
import { createSegmentationSlice, type SegmentationSlice } from './segmentationSlice';
import { createSplitSlice, type SplitSlice } from './splitSlice';
import { createStatusSlice, type StatusSlice } from './statusSlice';
import { createTrainingSlice, type TrainingSlice } from './trainingSlice';
import { createViewerSlice, type ViewerSlice } from './viewerSlice';

/** The whole app state: typed slices combined into one store. */
export type StudioState = BackendSlice &
  StatusSlice &
  ModelSlice &
  ImagesSlice &
  ViewerSlice &
  LabelsSlice &
  SegmentationSlice &
  PostProcessingSlice &
  ObjectsSlice &
  EvaluationSlice &
  ExportSlice &
  SplitSlice &
  TrainingSlice &
  LibrarySlice &
  ObjectScaleSlice &
  PersistSlice;

export const useStudio = create<StudioState>()((...a) => ({
  ...createBackendSlice(...a),
  ...createStatusSlice(...a),
  ...createModelSlice(...a),
  ...createImagesSlice(...a),
  ...createViewerSlice(...a),
  ...createLabelsSlice(...a),
  ...createSegmentationSlice(...a),
  ...createPostProcessingSlice(...a),
  ...createObjectsSlice(...a),
  ...createEvaluationSlice(...a),
  ...createExportSlice(...a),
  ...createSplitSlice(...a),
  ...createTrainingSlice(...a),
  ...createLibrarySlice(...a),
  ...createObjectScaleSlice(...a),
  ...createPersistSlice(...a),
}));
