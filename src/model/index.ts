/**
 * Public API of the U-Net and overlap-tile inference (issue 3). Importing it also registers the custom
 * SkipCrop2D layer, which tf.loadLayersModel needs to read a saved U-Net.
 */
export type { ModelCard, Segmenter, UnetConfig } from './types';
export { createUnet, buildUnetModel, segmenterFromModel, filtersAt, SkipCrop2D } from './unet';
export {
  assertConfig,
  contextMargin,
  inputSizeForOutput,
  isLegalInputSize,
  legalInputSizes,
  minInputSize,
  minTileInputSize,
  nearestLegalInputSize,
  outputCrop,
  outputSize,
  receptiveField,
  sizeStep,
  tileOutputSize,
  traceSizes,
} from './validSize';
export type { SizeTrace } from './validSize';
export { extractMirroredWindow, mirrorIndex, mirrorIndexMap, mirrorPad } from './mirror';
export type { Pads } from './mirror';
export { legalTileOutputAtLeast, legalTileOutputAtMost, minTileOutput, planShape, planTiles } from './tiling';
export type { PlanShape, Tile, TilePlan } from './tiling';
export { budgetFromLimits, chooseTile, estimateForwardBytes, forwardTrace, parameterCount } from './memoryBudget';
export type { ChooseTileArgs, DeviceLimits, ForwardEstimate, MemoryBudget, TileChoice, TraceNode } from './memoryBudget';
export { isOutOfMemoryError, PartialSegmentationError, segmentPlane } from './segment';
export type { BackoffEvent, ForwardFn, SegmentOptions, SegmentProgress, SegmentResult } from './segment';
export { AbortError, isAbortError, throwIfAborted } from './abort';
export type { AbortSignalLike } from './abort';
export { DIHEDRAL, applyDihedral, invertDihedral, ttaPredict } from './tta';
export type { Dihedral } from './tta';
export {
  MODEL_FILES,
  artifactsFromModelJson,
  artifactsToModelJson,
  artifactsWeightData,
  createModelCard,
  foregroundMapOptions,
  parseModelCard,
  segmenterFromArtifacts,
  segmenterToArtifacts,
} from './io';
export type { ModelCardFields } from './io';
export { checkedClassWeights, classWeightsProblem, paintedForegroundClasses } from './classWeights';
export { flopsForImage, flopsPer512, flopsPerForward } from './flops';
export { fineTune, checkFineTuneLabels, resolveRecipe } from './fineTune';
export type {
  FineTuneOptions,
  FineTuneProgress,
  FineTuneResult,
  FineTuneSample,
  ValidationPoint,
  ValidationScore,
} from './fineTuneTypes';
export type { FineTuneRecipe, LossRecipe, TrainingRecipe } from './recipe';
export { defaultFineTuneRecipe, defaultRecipe, fineTuneSettings } from './recipeDefaults';
export { chooseTrainingTile, estimateTrainingBytes } from './trainingMemory';
export type { ChooseTrainingTileArgs, TrainingEstimate, TrainingTile } from './trainingMemory';
export { ONNX_INPUT, ONNX_IR_VERSION, ONNX_OPSET, ONNX_OUTPUT, exportOnnx, layersModelToOnnx } from './onnx/exportOnnx';
export type { OnnxExportOptions } from './onnx/exportOnnx';
export { segmentTiles } from './onnx/segmentTiles';
export type { SegmentTilesOptions, SegmentTilesResult, TileRunner } from './onnx/segmentTiles';
