import type { FloatPlane } from '../image/types';
import type { AbortSignalLike } from '../model/abort';
import { estimateForwardBytes } from '../model/memoryBudget';
import { segmentTiles } from '../model/onnx/segmentTiles';
import type { SegmentProgress, SegmentResult } from '../model/segment';
import type { Segmenter } from '../model/types';
import type { OrtEngine, OrtSessions } from './ortSessions';

/** Options of one onnxruntime-web segmentation (those of segmentPlane the worker passes). */
export interface OrtSegmentOptions {
  readonly budgetBytes: number;
  readonly tileOutput?: number;
  readonly tta: boolean;
  readonly foregroundClass: number;
  readonly classWeights?: readonly number[];
  readonly signal?: AbortSignalLike;
  readonly onProgress?: (progress: SegmentProgress) => void;
}

/**
 * segmentPlane's overlap-tile segmentation with onnxruntime-web running the forward passes: the same plan,
 * tile choice (the same memory budget) and TTA (segmentTiles), answered in segmentPlane's result shape so
 * the worker reports it the same way. No out-of-memory back-off: onnxruntime's WASM heap grows to 4 GiB.
 */
export async function segmentOnOrt(
  sessions: OrtSessions,
  engine: OrtEngine,
  model: { readonly segmenter: Segmenter; readonly revision: string },
  plane: FloatPlane,
  options: OrtSegmentOptions,
): Promise<SegmentResult> {
  const { config } = model.segmenter;
  const run = await sessions.runner(engine, model.revision, model.segmenter);
  const start = performance.now();
  const result = await segmentTiles(config, plane, run, {
    budgetBytes: options.budgetBytes,
    tileOutput: options.tileOutput,
    tta: options.tta,
    foregroundClass: options.foregroundClass,
    classWeights: options.classWeights,
    signal: options.signal,
    onProgress: ({ tilesDone, tilesTotal }) => {
      const elapsedMs = performance.now() - start;
      options.onProgress?.({ tilesDone, tilesTotal, elapsedMs, etaMs: (elapsedMs / tilesDone) * (tilesTotal - tilesDone) });
    },
  });
  const { tile } = result;
  return {
    ...result,
    tile: { ...tile, inputSize: Math.max(tile.inputHeight, tile.inputWidth), outputSize: Math.max(tile.outputHeight, tile.outputWidth) },
    estimateBytes: estimateForwardBytes(config, tile.inputHeight, tile.inputWidth, Math.min(tile.batch, tile.tiles), options.tta).peakBytes,
    budgetBytes: options.budgetBytes,
    backoffs: 0,
    waste: (tile.tiles * tile.inputHeight * tile.inputWidth) / (plane.width * plane.height),
  };
}
