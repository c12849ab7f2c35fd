import type { FineTuneOptions, FineTuneResult, FineTuneSample } from '../model/fineTuneTypes';
import type { FloatPlane } from '../image/types';
import { paintedForegroundClasses } from '../model/classWeights';
import { foregroundMapOptions } from '../model/io';
import { modelZip } from '../model/modelExport';
import { segmentScaled } from '../model/objectScale';
import { segmentPlane } from '../model/segment';
import type { ModelCard, Segmenter } from '../model/types';
import { createFineTuneRun, type FineTuneRun } from './fineTuneRun';
import type { Handlers, HandlerContext } from './handle';
import { defaultBudget, describeModel, newWorkerModel, restoreWeights, snapshotWeights, type ModelState } from './modelHandlers';
import type { TuningRecord } from './protocol';

/** The trainer (src/model/fineTune.ts); injectable so the job's plumbing is tested with a small fake. */
export type FineTuneFn = (segmenter: Segmenter, samples: readonly FineTuneSample[], options: FineTuneOptions) => Promise<FineTuneResult>;

function abortError(): Error {
  return Object.assign(new Error('Fine-tuning was cancelled; the run is discarded.'), { name: 'AbortError' });
}

/** The card of a fine-tuned copy: the parent's recipe and normalisation, its own name, revision and step count. */
function tunedCard(parent: ModelCard, name: string, result: FineTuneResult): ModelCard {
  const tuned = result.kept === 'tuned';
  return {
    ...parent,
    name,
    description: `${parent.description} Fine-tuned in U-Net Studio from "${parent.name}": ${result.message}`,
    // Cached results are keyed by the weights revision: when the start was kept, they are shared with the parent.
    createdAt: new Date().toISOString(),
    // Steps the kept weights have seen: the best step's, not the last one's.
    trainedSteps: parent.trainedSteps + (tuned ? result.bestStep : 0),
    // Held-out metrics described the parent's weights; they no longer apply once they changed.
    ...(tuned ? { metrics: undefined, heldOut: undefined } : {}),
  };
}

/** Re-predicts the run's preview region with `segmenter` and posts the visible part (transferred). */
async function postPreview(state: ModelState, run: FineTuneRun, card: ModelCard, segmenter: Segmenter, step: number, ctx: HandlerContext<'fineTune'>, budgetBytes: number): Promise<void> {
  const preview = run.previewRegion();
  if (!preview) return;
  const { region, plane, scale } = preview;
  const { inner } = region;
  // Not cancellable on purpose: a Stop during a preview lets the preview finish, then the run stops.
  const predict = async (input: FloatPlane | readonly FloatPlane[]): Promise<Float32Array> => {
    const result = await segmentPlane(segmenter, input, {
      budgetBytes,
      maxBindingBytes: defaultBudget(state.backend).maxBindingBytes,
      ...foregroundMapOptions(card),
    });
    return result.probabilities;
  };
  // At the scale the run trains the image at; a rescaled crop is close to, not exactly, the whole image's map.
  const { probabilities } = await segmentScaled(predict, plane, scale);
  const out = new Float32Array(inner.width * inner.height);
  const ox = inner.x - region.x;
  const oy = inner.y - region.y;
  for (let r = 0; r < inner.height; r++) {
    const from = (oy + r) * plane.width + ox;
    out.set(probabilities.subarray(from, from + inner.width), r * inner.width);
  }
  ctx.progress({ kind: 'preview', step, imageId: region.imageId, x: inner.x, y: inner.y, width: inner.width, height: inner.height, probabilities: out }, [out.buffer]);
}

/**
 * Handlers of the fine-tune job: `fineTune` trains a copy of the parent model (the parent stays intact) and
 * registers the result as a new model; `updateFineTune` and `stopFineTune` reach the running job at once.
 */
export function createFineTuneHandlers(state: ModelState, fineTune: FineTuneFn): Handlers {
  const runs = new Map<string, FineTuneRun>();
  return {
    fineTune: async (params, ctx) => {
      if (runs.has(params.runId)) throw new Error(`A fine-tune run "${params.runId}" is already going on.`);
      const lease = await state.registry.acquire(params.parentId);
      let copy: Segmenter | null = null;
      try {
        const parent = lease.model;
        const { config } = parent.segmenter;
        const grid = config.padding === 'valid' ? 2 ** config.depth : 1;
        const run = createFineTuneRun(params.images, parent.card.normalization, ctx.signal, grid);
        if (params.preview) run.setPreviewRegion(params.preview);
        runs.set(params.runId, run);
        copy = restoreWeights(await snapshotWeights(parent.segmenter));
        const training = copy;
        const budgetBytes = params.budgetBytes ?? defaultBudget(state.backend).budgetBytes;
        const preview = (step: number, segmenter: Segmenter) => postPreview(state, run, parent.card, segmenter, step, ctx, budgetBytes);
        // Validation runs at the end of a step; until the next step starts the weights are the best ones.
        let checkpointStep = 0;
        const postCheckpoint = async () => {
          const step = checkpointStep;
          checkpointStep = 0;
          const zip = await modelZip(training, { ...parent.card, name: params.name });
          ctx.progress({ kind: 'checkpoint', step, zip }, [zip.buffer as ArrayBuffer]);
        };
        const result = await fineTune(training, run.samples(), {
          recipe: state.resolveRecipe(parent.card),
          overrides: params.overrides,
          foregroundClasses: paintedForegroundClasses(parent.card),
          budgetBytes,
          seed: params.seed,
          signal: run.signal,
          onProgress: (p) => {
            run.step = p.step;
            ctx.progress({ kind: 'step', ...p });
          },
          onValidation: (point) => {
            ctx.progress({ kind: 'validation', point });
            if (point.best && point.step > 0) checkpointStep = point.step;
          },
          ...(params.previewEvery > 0 ? { previewEvery: params.previewEvery } : {}),
          onPreview: preview,
          pollSamples: () => run.takeChangedSamples(),
          betweenSteps: async () => {
            if (checkpointStep > 0) await postCheckpoint();
            if (run.takePreviewRequest()) await preview(run.step, training);
            // The safe point of the queue: segmentations and model loads asked for meanwhile run now.
            await ctx.yieldToWaiting();
          },
        });
        if (ctx.signal.aborted) throw abortError();
        const tuning: TuningRecord = {
          parentId: params.parentId,
          parentName: parent.card.name,
          steps: result.steps,
          requestedSteps: result.settings.steps,
          bestStep: result.bestStep,
          kept: result.kept,
          message: result.message,
          aborted: result.aborted,
          stoppedEarly: result.stoppedEarly,
          images: run.samples().length,
          before: result.before,
          after: result.after,
          settings: result.settings,
          msPerStep: result.msPerStep,
          tileSize: result.tileSize,
          outputTileSize: result.outputTileSize,
          finishedAt: new Date().toISOString(),
        };
        const model = await newWorkerModel(training, tunedCard(parent.card, params.name, result), false, tuning);
        state.registry.add(params.modelId, model);
        copy = null;
        return { model: describeModel(state, params.modelId, model) };
      } finally {
        copy?.dispose();
        runs.delete(params.runId);
        lease.release();
      }
    },

    updateFineTune: async ({ runId, images, preview, previewNow }) => {
      const run = runs.get(runId);
      if (!run) return { accepted: false };
      if (images) run.update(images);
      if (preview) run.setPreviewRegion(preview);
      if (previewNow) run.requestPreview();
      return { accepted: true };
    },

    stopFineTune: async ({ runId }) => {
      const run = runs.get(runId);
      run?.stop();
      return { stopping: run !== undefined };
    },
  };
}
