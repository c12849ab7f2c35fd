import * as tf from '@tensorflow/tfjs';
import { computeImageObjects } from '../image/imageObjects';
import { defaultNormalization, normalizePlane } from '../image/normalize';
import { atObjectScale, defaultPostProcessing } from '../image/postProcessing';
import type { FloatPlane } from '../image/types';
import { foregroundMapOptions } from '../model/io';
import { segmentAtObjectScale, singlePass, type PassPlan, type PlaneSegmentFn, type ScaledSegmentation } from '../model/objectScale';
import { createPassProgress } from '../model/passProgress';
import type { TrainingRecipe } from '../model/recipe';
import { PartialSegmentationError, segmentPlane, type SegmentProgress, type SegmentResult } from '../model/segment';
import type { ModelCard, Segmenter } from '../model/types';
import { weightsRevision } from '../model/revision';
import { createUnet, segmenterFromModel } from '../model/unet';
import { contextMargin } from '../model/validSize';
import { deviceRecovered, isDeviceLostError, raceDeviceLoss, whenDeviceLost } from './deviceLoss';
import { chooseEngine, type EngineChoice } from './engineChoice';
import { crashIfArmed, faultyForward } from './faults';
import { CancelledWithResult, type HandlerContext, type Handlers } from './handle';
import type { ModelRegistry } from './modelRegistry';
import { segmentOnOrt } from './ortSegment';
import type { OrtSessions } from './ortSessions';
import { seededValues } from './probe';
import type { BackendInfo, BackendName, InferenceEngineName, LoadedModel, ModelSource, Params, Result, SegmentOptions, TileReport, TuningRecord } from './protocol';

function tileReport(result: SegmentResult): TileReport {
  const t = result.tile;
  return {
    inputSize: Math.max(t.inputHeight, t.inputWidth),
    outputSize: Math.max(t.outputHeight, t.outputWidth),
    inputWidth: t.inputWidth,
    inputHeight: t.inputHeight,
    outputWidth: t.outputWidth,
    outputHeight: t.outputHeight,
    waste: result.waste,
    batch: t.batch,
    tiles: t.tiles,
    estimateBytes: result.estimateBytes,
    budgetBytes: result.budgetBytes,
    backoffs: result.backoffs,
  };
}

/** One model of the worker's registry: weights plus what the UI is told about them. */
export interface WorkerModel {
  readonly segmenter: Segmenter;
  readonly card: ModelCard;
  /** True for a randomly initialised model: its output is meaningless until it is trained. */
  readonly random: boolean;
  /** How a fine-tuned model came about (models made in this session). */
  readonly tuning?: TuningRecord;
  /** Content hash of the weights (src/model/revision.ts): the key of every result made with them. */
  readonly revision: string;
  /** A CPU copy of the weights: a lost GPU device takes the tensors with it, and the model is rebuilt from this. */
  readonly weights?: WeightSnapshot;
  dispose(): void;
}

export function workerModel(
  segmenter: Segmenter,
  card: ModelCard,
  random: boolean,
  revision: string,
  tuning?: TuningRecord,
  weights?: WeightSnapshot,
): WorkerModel {
  return { segmenter, card, random, revision, tuning, weights, dispose: () => segmenter.dispose() };
}

/** A registry entry for weights that are new to the session: read once, for their revision and the CPU copy. */
export async function newWorkerModel(segmenter: Segmenter, card: ModelCard, random: boolean, tuning?: TuningRecord): Promise<WorkerModel> {
  const weights = await snapshotWeights(segmenter);
  return workerModel(segmenter, card, random, await weightsRevision(segmenter.config, weights.weights), tuning, weights);
}

/** The worker's model state: every model of the session, and the backend facts for the budget. */
export interface ModelState {
  readonly registry: ModelRegistry<WorkerModel>;
  backend: BackendInfo | null;
  /** The recipe of a card: its own, or the defaults for its task (src/model/fineTune.ts). */
  readonly resolveRecipe: (card: ModelCard) => TrainingRecipe;
  /** onnxruntime-web inference (absent: segmentations run on tfjs only). */
  readonly inference?: InferenceState;
}

/** The worker's onnxruntime-web sessions and the engines that failed to start in it. */
export interface InferenceState {
  readonly sessions: OrtSessions;
  readonly failed: Map<InferenceEngineName, string>;
  /** navigator.gpu exists in this worker. */
  readonly webgpu: boolean;
}

export function describeModel(state: ModelState, id: string, model: WorkerModel): LoadedModel {
  const { segmenter, card } = model;
  return {
    id,
    card,
    revision: model.revision,
    recipe: state.resolveRecipe(card),
    ...(model.tuning ? { tuning: model.tuning } : {}),
    random: model.random,
    parameters: segmenter.model.countParams(),
    margin: segmenter.config.padding === 'valid' ? contextMargin(segmenter.config) : 0,
  };
}

async function load(source: ModelSource): Promise<WorkerModel> {
  if (source.kind === 'session') throw new Error('This fine-tuned model no longer exists in the worker (the page was reloaded?).');
  if (source.kind === 'random') {
    const segmenter = createUnet(source.config);
    const card: ModelCard = {
      name: source.name ?? 'untrained',
      task: 'generic',
      description: 'Randomly initialised U-Net (He-normal weights); train it before trusting its output.',
      architecture: source.config,
      normalization: defaultNormalization,
      foregroundClass: 1,
      createdAt: new Date().toISOString(),
      trainedSteps: 0,
    };
    return newWorkerModel(segmenter, card, true);
  }
  const cardUrl = new URL('model-card.json', source.url).href;
  const response = await fetch(cardUrl);
  if (!response.ok) throw new Error(`model card ${cardUrl} answered HTTP ${response.status}`);
  const card = (await response.json()) as ModelCard;
  const model = await tf.loadLayersModel(source.url);
  return newWorkerModel(segmenterFromModel(model, card.architecture), card, false);
}

/**
 * Memory budget for tiles. WebGPU: a quarter of the largest buffer the device allows, capped at 2 GiB,
 * because tfjs keeps several activations alive and the browser gives no figure of free VRAM. CPU-side
 * backends: 512 MiB of the worker's heap. The user can override it in the model panel.
 */
export function defaultBudget(info: BackendInfo | null): { budgetBytes: number; maxBindingBytes?: number } {
  if (info?.backend === 'webgpu' && info.gpu) {
    return {
      budgetBytes: Math.min(2 ** 31, Math.max(64 * 2 ** 20, info.gpu.deviceMaxBufferSize / 4)),
      maxBindingBytes: info.gpu.deviceMaxStorageBufferBindingSize,
    };
  }
  return { budgetBytes: 512 * 2 ** 20 };
}

/** Model weights read back to the CPU, to rebuild the model on another backend or to copy it. */
export interface WeightSnapshot {
  readonly config: Segmenter['config'];
  readonly weights: readonly { readonly shape: number[]; readonly data: Float32Array }[];
}

/**
 * Reads the weights asynchronously. Letting tfjs move them lazily after tf.setBackend would read them
 * with dataSync, which on WebGPU goes through a synchronous canvas path that lost the device in Chromium.
 */
export async function snapshotWeights(segmenter: Segmenter): Promise<WeightSnapshot> {
  const weights = [];
  for (const w of segmenter.model.getWeights()) {
    weights.push({ shape: w.shape, data: (await w.data()) as Float32Array });
  }
  return { config: segmenter.config, weights };
}

/** Builds the same model on the active backend from a snapshot. */
export function restoreWeights(snapshot: WeightSnapshot): Segmenter {
  const segmenter = createUnet(snapshot.config);
  const tensors = snapshot.weights.map((w) => tf.tensor(w.data, w.shape));
  segmenter.model.setWeights(tensors);
  tf.dispose(tensors);
  return segmenter;
}

/**
 * Segments a seeded random size x size plane with model `id` on the active backend, or with a copy of it
 * built from `snapshot` (the self-test's CPU reference).
 */
export async function segmentSeededPlane(state: ModelState, id: string, size: number, seed: number, snapshot?: WeightSnapshot): Promise<Float32Array> {
  const lease = await state.registry.acquire(id);
  const plane = { width: size, height: size, data: seededValues(size * size, seed) };
  const segmenter = snapshot ? restoreWeights(snapshot) : lease.model.segmenter;
  try {
    const result = await segmentPlane(segmenter, plane, { ...defaultBudget(state.backend), ...foregroundMapOptions(lease.model.card) });
    return result.probabilities;
  } finally {
    if (snapshot) segmenter.dispose();
    lease.release();
  }
}

/**
 * The image segmented at its object scale when the request names a diameter and the card a training
 * diameter (src/model/objectScale.ts: 1-4 passes of `run`), else undefined (one plain pass is the caller's).
 */
function segmentAtScale(
  run: PlaneSegmentFn,
  plane: FloatPlane,
  card: ModelCard,
  diameter: SegmentOptions['diameter'],
): Promise<ScaledSegmentation> | undefined {
  const target = card.objectDiameter;
  if (diameter === undefined || target === undefined) return undefined;
  return segmentAtObjectScale(run, plane, {
    trainingDiameter: target,
    diameter,
    postProcessing: card.postProcessing ?? defaultPostProcessing(card.task === 'membranes' ? 'cells' : 'foreground'),
  });
}

/** After a device loss: waits for the re-created backend, then rebuilds every model (not leased by a job) from its CPU copy. */
async function rebuildAfterDeviceLoss(state: ModelState): Promise<void> {
  await deviceRecovered();
  for (const id of state.registry.ids()) {
    const old = state.registry.peek(id);
    if (!old?.weights || state.registry.leases(id) > 0) continue;
    state.registry.swap(id, workerModel(restoreWeights(old.weights), old.card, old.random, old.revision, old.tuning, old.weights));
    try {
      old.dispose();
    } catch {
      // Its tensors went with the device.
    }
  }
}

/** Every onnxruntime engine counts as failed where the worker has no onnxruntime-web (Node tests). */
const noOrt: ReadonlyMap<InferenceEngineName, string> = new Map([
  ['ort-webgpu', 'onnxruntime-web is not set up in this worker'],
  ['ort-wasm', 'onnxruntime-web is not set up in this worker'],
]);

/**
 * One segmentation on the engine the setting asks for (engineChoice.ts): onnxruntime-web on the model's
 * ONNX export, or segmentPlane on tfjs. An onnxruntime engine that fails is marked failed for this worker
 * and the next engine in line runs the same request, so a segmentation never fails for the engine alone.
 */
async function segmentWithEngine(
  state: ModelState,
  model: WorkerModel,
  input: FloatPlane | readonly FloatPlane[],
  options: SegmentOptions,
  ctx: HandlerContext<'segment'>,
  onProgress: (p: SegmentProgress) => void,
): Promise<{ result: SegmentResult; choice: EngineChoice }> {
  const { segmenter, card } = model;
  const budget = defaultBudget(state.backend);
  const common = {
    budgetBytes: options.budgetBytes ?? budget.budgetBytes,
    tileOutput: options.tileOutput,
    tta: options.tta,
    ...foregroundMapOptions(card),
    signal: ctx.signal,
    onProgress,
  };
  const inference = state.inference;
  for (;;) {
    const choice = chooseEngine(options.engine ?? 'auto', {
      backend: state.backend?.backend ?? null,
      webgpu: inference?.webgpu ?? false,
      failed: inference?.failed ?? noOrt,
    });
    // onnxruntime-web runs one-plane inputs (every shipped model); multi-channel planes stay on tfjs.
    if (choice.engine === 'tfjs' || !inference || !('data' in input)) {
      const tfjsChoice: EngineChoice = choice.engine === 'tfjs' ? choice : { ...choice, engine: 'tfjs' };
      const result = await segmentPlane(segmenter, input, { ...common, maxBindingBytes: budget.maxBindingBytes, forward: faultyForward(segmenter) });
      return { choice: tfjsChoice, result };
    }
    try {
      return { choice, result: await segmentOnOrt(inference.sessions, choice.engine, model, input, common) };
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      inference.failed.set(choice.engine, error instanceof Error ? error.message : String(error));
    }
  }
}

/** Handlers for loading, describing and removing models and for segmenting with them. */
export function createModelHandlers(state: ModelState): Handlers {
  const { registry } = state;
  return {
    loadModel: async ({ id, source }) => {
      const lease = await registry.acquire(id, () => load(source));
      try {
        return describeModel(state, id, lease.model);
      } finally {
        lease.release();
      }
    },

    describeModel: async ({ id }) => {
      const model = registry.peek(id);
      if (!model) throw new Error(`The model "${id}" is not loaded.`);
      return describeModel(state, id, model);
    },

    removeModel: async ({ id }) => {
      const known = registry.peek(id) !== undefined;
      registry.remove(id);
      return { removed: known };
    },

    segment: async (params, ctx) => {
      const { image } = params;
      if (image.data.length !== image.width * image.height) {
        throw new RangeError(`image data has ${image.data.length} values for ${image.width}x${image.height} pixels`);
      }
      await crashIfArmed();
      try {
        return await segmentImage(params, ctx);
      } catch (error) {
        if (!isDeviceLostError(error)) throw error;
        // The whole image again on the re-created backend: nothing of the lost run is kept.
        await rebuildAfterDeviceLoss(state);
        return await segmentImage(params, ctx);
      }
    },
  };

  /** One segmentation request: at the object scale asked for, with its objects, or its finished tiles on a cancel. */
  async function segmentImage(params: Params<'segment'>, ctx: HandlerContext<'segment'>): Promise<Result<'segment'>> {
    const { modelId, image, options } = params;
    const lease = await registry.acquire(modelId);
    try {
      const { card } = lease.model;
      const start = performance.now();
      const plane = normalizePlane(image, card.normalization);
      let last: SegmentResult | undefined;
      let engine: EngineChoice | undefined;
      // One bar over all passes of the object scale (tiles over the run, never moving back).
      const progress = createPassProgress();
      const report = (p: SegmentProgress): void => {
        const overall = progress.update(p);
        if (overall) ctx.progress(overall);
      };
      const run = async (input: FloatPlane | readonly FloatPlane[], plan: PassPlan = singlePass): Promise<Float32Array> => {
        progress.startPass(plan);
        // Raced against a device loss: reads on a destroyed WebGPU device never settle (deviceLoss.ts).
        const lost = whenDeviceLost();
        const pass = await raceDeviceLoss(segmentWithEngine(state, lease.model, input, options, ctx, report), lost);
        last = pass.result;
        engine = pass.choice;
        return last.probabilities;
      };
      const answer = (result: SegmentResult, probabilities: Float32Array) => ({
        width: image.width,
        height: image.height,
        probabilities,
        tile: tileReport(result),
        ms: performance.now() - start,
        backend: tf.getBackend() as BackendName,
      });
      try {
        const scaled = await segmentAtScale(run, plane, card, options.diameter);
        const probabilities = scaled?.probabilities ?? (await run(plane));
        if (!last) throw new Error('segmentation produced no result');
        ctx.transfer(probabilities.buffer as ArrayBuffer);
        // Objects are made here, where the probability already is (not in a second worker after a round
        // trip through the main thread); the raw plane is what they are measured on unless told otherwise.
        // Pixel settings are in the model's pixels: converted at the scale this image was segmented at.
        const request = params.objects;
        const objects = request && computeImageObjects(probabilities, image.width, image.height, atObjectScale(request.settings, scaled?.scale ?? 1), request.intensity ?? image.data);
        if (objects) ctx.transfer(objects.labels.buffer as ArrayBuffer, objects.sizes.buffer as ArrayBuffer);
        return {
          ...answer(last, probabilities),
          ...(engine ? { engine: engine.engine, engineReason: engine.reason } : {}),
          ...(scaled && scaled.source !== 'off'
            ? {
                objectScale: {
                  diameter: scaled.diameter ?? null,
                  source: scaled.source,
                  scale: scaled.scale,
                  ...(scaled.fusedScale !== undefined ? { fusedScale: scaled.fusedScale } : {}),
                  trainingDiameter: card.objectDiameter ?? 0,
                },
              }
            : {}),
          ...(objects ? { objects } : {}),
        };
      } catch (error) {
        // A cancel keeps the finished tiles of a pass at the image's own size (NaN marks the rest); a
        // rescaled pass's tiles are at another scale, so that cancel keeps nothing.
        if (!(error instanceof PartialSegmentationError)) throw error;
        const done = error.result;
        if (done.width !== image.width || done.height !== image.height) throw error;
        const partial = { ...answer(done, done.probabilities), partial: { tilesDone: error.tilesDone, tilesTotal: error.tilesTotal } };
        throw new CancelledWithResult('segment', partial, [done.probabilities.buffer as ArrayBuffer]);
      }
    } finally {
      lease.release();
    }
  }
}
