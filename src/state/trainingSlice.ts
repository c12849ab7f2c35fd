import { zipSync } from 'fflate';
import type { StateCreator } from 'zustand';
import type { FineTuneEvent, FineTuneRecipe, LoadedModel, TuningRecord, ValidationPoint } from '../worker/protocol';
import { getWorkerClient } from './client';
import { getPixels } from './pixels';
import type { StudioState } from './store';
import { checkTrainingLabels, nextTunedModel, type PaintedSummary } from './trainingChecks';
import {
  applyPreview,
  collectImages,
  currentPreviewRegion,
  summarisePainted,
  takeLabelUpdates,
  type RunContext,
} from './trainingRun';

/** The fine-tuning settings the user may change; the rest of the recipe (loss, augmentation) is the model's. */
export type TrainOverrides = Partial<Pick<FineTuneRecipe, 'steps' | 'learningRate' | 'optimizer'>>;

/** A fine-tune in progress. */
export interface TrainRun {
  readonly runId: string;
  readonly parentId: string;
  readonly parentName: string;
  /** Id and name the run's model will have. */
  readonly modelId: string;
  readonly name: string;
  /** 'waiting': queued behind another job of the worker; 'stopping': Stop was pressed. */
  readonly phase: 'waiting' | 'training' | 'stopping';
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  readonly msPerStep: number;
  readonly etaMs: number;
  readonly labelledPixels: number;
  readonly images: number;
  readonly heldOutRegions: number;
  readonly regions: number;
  /** Step of the last live preview (null before the first). */
  readonly previewStep: number | null;
}

/** The curves of the current (or last) run, for the plot. */
export interface TrainCurve {
  readonly step: readonly number[];
  readonly loss: readonly number[];
  readonly smoothed: readonly number[];
  readonly validation: readonly ValidationPoint[];
}

export interface TrainingSlice {
  trainOverrides: TrainOverrides;
  /** Re-predict the visible region every this many steps while training (0 = only on demand). */
  previewEvery: number;
  trainRun: TrainRun | null;
  trainCurve: TrainCurve;
  /** The last run's model and what came of it. */
  lastTuning: { readonly modelId: string; readonly name: string; readonly record: TuningRecord } | null;
  setTrainOverrides(change: TrainOverrides): void;
  resetTrainOverrides(): void;
  setPreviewEvery(steps: number): void;
  /** Called after every change of image `id`'s labels: refreshes its split, or sends the strokes to a running fine-tune. */
  labelsEdited(id: string): void;
  /** Fine-tunes a copy of the selected model on the painted labels of every image that has some. */
  trainOnPaintedLabels(): Promise<void>;
  /** Stops the run after its current step; it still becomes a model with its best weights. */
  stopTraining(): Promise<void>;
  /** Re-predicts the visible region with the current weights at the next step. */
  previewNow(): Promise<void>;
  /** Downloads the selected model (fine-tuned ones too) as model.json + weights + card. */
  downloadModel(): Promise<void>;
}

export const initialTrainingState = {
  trainOverrides: {} as TrainOverrides,
  previewEvery: 20,
  trainRun: null as TrainRun | null,
  trainCurve: { step: [], loss: [], smoothed: [], validation: [] } as TrainCurve,
  lastTuning: null as TrainingSlice['lastTuning'],
};

let run: RunContext | null = null;
let runCounter = 0;

function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const createTrainingSlice: StateCreator<StudioState, [], [], TrainingSlice> = (set, get, api) => {

  /** Sends pending label edits to the running fine-tune (once it runs; refused updates stay pending). */
  const flushLabels = async () => {
    const ctx = run;
    if (!ctx) return;
    ctx.flushTimer = null;
    if (!ctx.started || ctx.dirty.size === 0) return;
    const pending = [...ctx.dirty];
    const { images, transfer } = takeLabelUpdates(get(), ctx);
    if (images.length === 0) return;
    try {
      const { accepted } = await getWorkerClient().call('updateFineTune', { runId: ctx.runId, images }, { transfer });
      if (!accepted) for (const id of pending) ctx.dirty.add(id);
    } catch (error) {
      get().notify('warning', `New strokes could not join the training: ${errorText(error)}`);
    }
  };

  /** Sends the region the user looks at now (and optionally asks for a preview at the next step). */
  const sendPreviewRegion = async (previewNow: boolean) => {
    const ctx = run;
    const model = get().model;
    if (!ctx) return;
    ctx.regionTimer = null;
    if (!model) return;
    const found = currentPreviewRegion(get(), ctx, model);
    if (!found) return;
    try {
      await getWorkerClient().call('updateFineTune', { runId: ctx.runId, preview: found.region, previewNow }, { transfer: found.transfer });
    } catch (error) {
      get().notify('warning', `The live preview could not follow the view: ${errorText(error)}`);
    }
  };

  const onEvent = (event: FineTuneEvent) => {
    const ctx = run;
    if (!ctx) return;
    if (!ctx.started) {
      ctx.started = true;
      set((s) => ({ trainRun: s.trainRun && s.trainRun.phase === 'waiting' ? { ...s.trainRun, phase: 'training' } : s.trainRun }));
      void flushLabels();
    }
    if (event.kind === 'step') {
      set((s) => ({
        trainRun: s.trainRun && { ...s.trainRun, step: event.step, steps: event.steps, loss: event.smoothedLoss, msPerStep: event.msPerStep, etaMs: event.etaMs, labelledPixels: event.labelledPixels },
        trainCurve: {
          ...s.trainCurve,
          step: [...s.trainCurve.step, event.step],
          loss: [...s.trainCurve.loss, event.loss],
          smoothed: [...s.trainCurve.smoothed, event.smoothedLoss],
        },
      }));
      if (ctx.dirty.size > 0 && !ctx.flushTimer) void flushLabels();
    } else if (event.kind === 'validation') {
      set((s) => ({ trainCurve: { ...s.trainCurve, validation: [...s.trainCurve.validation, event.point] } }));
    } else if (event.kind === 'checkpoint') {
      get().saveCheckpoint(event.step, event.zip);
    } else if (applyPreview(get(), event)) {
      set((s) => ({ trainRun: s.trainRun && { ...s.trainRun, previewStep: event.step }, predictionVersion: s.predictionVersion + 1 }));
    }
  };

  /** Ends the run's side effects: timers, the view subscription, the live previews. */
  const finishRun = (ctx: RunContext) => {
    if (ctx.flushTimer) clearTimeout(ctx.flushTimer);
    if (ctx.regionTimer) clearTimeout(ctx.regionTimer);
    ctx.unsubscribe();
    for (const image of get().images) {
      const px = getPixels(image.id);
      if (px) px.preview = null;
    }
    run = null;
    // The run ended (a model, a failure or a cancel): its checkpoint has nothing left to resume.
    get().dropCheckpoint();
    set((s) => ({ trainRun: null, predictionVersion: s.predictionVersion + 1 }));
    get().refreshSplits();
  };

  /** The run's context and its first state: queued, following the user's view for previews. */
  const startRun = (parentId: string, parent: LoadedModel, useAll: boolean, summary: PaintedSummary): RunContext => {
    const { id: modelId, name } = nextTunedModel(get().models, parent.card.name);
    const ctx: RunContext = {
      runId: `run-${++runCounter}`,
      parentCard: parent.card,
      modelId,
      name,
      controller: new AbortController(),
      validation: new Map(),
      sent: new Set(),
      dirty: new Set(),
      ranges: new Map(),
      started: false,
      flushTimer: null,
      regionTimer: null,
      unsubscribe: () => {},
    };
    run = ctx;
    // The next periodic preview shows what the user looks at then.
    ctx.unsubscribe = api.subscribe((s, prev) => {
      if (run !== ctx || (s.views === prev.views && s.selectedId === prev.selectedId && s.viewport === prev.viewport)) return;
      if (ctx.regionTimer) clearTimeout(ctx.regionTimer);
      ctx.regionTimer = setTimeout(() => void sendPreviewRegion(false), 400);
    });
    set({
      trainRun: {
        runId: ctx.runId,
        parentId,
        parentName: parent.card.name,
        modelId,
        name,
        phase: 'waiting',
        step: 0,
        steps: get().trainOverrides.steps ?? parent.recipe.fineTune.steps,
        loss: Number.NaN,
        msPerStep: 0,
        etaMs: 0,
        labelledPixels: 0,
        images: summary.images,
        heldOutRegions: useAll ? 0 : summary.heldOutRegions,
        regions: summary.regions,
        previewStep: null,
      },
      trainCurve: initialTrainingState.trainCurve,
    });
    return ctx;
  };

  /** Lists the run's model; selects it and segments the shown image with it when it kept trained weights. */
  const adopt = async (model: LoadedModel) => {
    const record = model.tuning;
    get().addModelEntry({ id: model.id, label: model.card.name, source: { kind: 'session' }, ...(record ? { tuning: record } : {}) });
    if (!record) return;
    set({ lastTuning: { modelId: model.id, name: model.card.name, record } });
    const steps = `${record.steps}${record.aborted ? ` of ${record.requestedSteps} steps, stopped` : ' steps'}`;
    const what = `${record.message} (${steps}${record.before ? '' : '; nothing held out'})`;
    if (record.kept === 'start') {
      get().setStatus(`"${model.card.name}" keeps the starting weights: ${what}`);
      return;
    }
    get().setStatus(`"${model.card.name}" is ready: ${what} Segmenting with it…`);
    await get().loadModel(model.id);
    const selected = get().selectedId;
    if (selected && get().modelId === model.id) await get().segmentImages([selected]);
    get().setStatus(`Now using "${model.card.name}": ${what}`);
  };

  return {
    ...initialTrainingState,

    setTrainOverrides(change) {
      set((s) => ({ trainOverrides: { ...s.trainOverrides, ...change } }));
    },

    resetTrainOverrides() {
      set({ trainOverrides: {} });
    },

    setPreviewEvery(steps) {
      set({ previewEvery: Math.max(0, Math.round(steps)) });
    },

    labelsEdited(id) {
      const ctx = run;
      if (ctx) {
        ctx.dirty.add(id);
        if (ctx.flushTimer) clearTimeout(ctx.flushTimer);
        ctx.flushTimer = setTimeout(() => void flushLabels(), 300);
        return;
      }
      get().scheduleSplit(id);
    },

    async trainOnPaintedLabels() {
      const state = get();
      if (run) return;
      const parent = state.model;
      const parentId = state.modelId;
      if (state.modelStatus !== 'ready' || !parent || !parentId) {
        state.notify('warning', 'Load a model before training.');
        return;
      }
      // The split shown in the panel is the split trained with: compute pending ones now.
      state.flushSplits();
      const useAll = get().useAllLabels;
      const summary = summarisePainted(get(), useAll);
      const problem = checkTrainingLabels(summary, useAll, [state.classes[0].name, state.classes[1].name]);
      if (problem) {
        state.notify('warning', problem);
        state.setStatus(problem);
        return;
      }
      // The labels trained on are in storage before the run starts: a reload during it loses none.
      void state.flushSession();
      const ctx = startRun(parentId, parent, useAll, summary);
      const { images, transfer } = collectImages(get(), ctx, useAll, parent.recipe.fineTune.validationFraction);
      const preview = currentPreviewRegion(get(), ctx, parent);
      for (const image of get().images) {
        const px = getPixels(image.id);
        if (px) px.heldOut = ctx.validation.get(image.id) ?? null;
      }
      set((s) => ({ trainRun: s.trainRun && { ...s.trainRun, images: images.length }, heldOutVersion: s.heldOutVersion + 1 }));
      state.setStatus(`Fine-tuning "${parent.card.name}" on the labels of ${images.length} image${images.length === 1 ? '' : 's'}…`);
      try {
        const budgetBytes = get().segmentOptions.budgetBytes;
        const { model } = await getWorkerClient().call(
          'fineTune',
          {
            runId: ctx.runId,
            parentId,
            modelId: ctx.modelId,
            name: ctx.name,
            images,
            overrides: get().trainOverrides,
            seed: 1,
            previewEvery: get().previewEvery,
            preview: preview?.region ?? null,
            ...(budgetBytes ? { budgetBytes } : {}),
          },
          { signal: ctx.controller.signal, transfer: [...transfer, ...(preview?.transfer ?? [])], onProgress: onEvent },
        );
        finishRun(ctx);
        await adopt(model);
      } catch (error) {
        if (run === ctx) finishRun(ctx);
        if (error instanceof Error && error.name === 'AbortError') get().setStatus('Fine-tuning was cancelled before it started; nothing changed.');
        else {
          get().notify('error', `Fine-tuning failed: ${errorText(error)}`);
          get().setStatus(`Fine-tuning failed: ${errorText(error)}`);
        }
      }
    },

    async stopTraining() {
      const ctx = run;
      if (!ctx) return;
      set((s) => ({ trainRun: s.trainRun && { ...s.trainRun, phase: 'stopping' } }));
      const { stopping } = await getWorkerClient().call('stopFineTune', { runId: ctx.runId });
      // Still queued behind another job: nothing was trained, so the request is simply withdrawn.
      if (!stopping && run === ctx) ctx.controller.abort();
    },

    async previewNow() {
      if (run) await sendPreviewRegion(true);
    },

    async downloadModel() {
      const id = get().modelId;
      if (!id) return;
      try {
        const { name, files } = await getWorkerClient().call('exportModel', { id });
        const zip = zipSync(Object.fromEntries(files.map((f) => [f.name, f.bytes])));
        download(`${name.replace(/[^\w.-]+/g, '_')}.zip`, new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
      } catch (error) {
        get().notify('error', `Could not export the model: ${errorText(error)}`);
      }
    },
  };
};
