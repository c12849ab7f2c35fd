import { zipSync } from 'fflate';
import type { StateCreator } from 'zustand';
import { splitRegions } from '../image/regionSplit';
import type { FineTuneEvent, FineTuneRecipe, TuningRecord, ValidationPoint } from '../worker/protocol';
import { getWorkerClient } from './client';
import { getPixels } from './pixels';
import type { StudioState } from './store';
import { checkTrainingLabels, nextTunedModel } from './trainingChecks';
import {
  applyPreview,
  collectImages,
  currentPreviewRegion,
  SPLIT_SEED,
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

/** Region counts of one image's painted labels under the validation split. */
export interface SplitSummary {
  readonly regions: number;
  readonly heldOutRegions: number;
}

export interface TrainingSlice {
  trainOverrides: TrainOverrides;
  /** No validation split: every painted label trains (and nothing guards against a worse model). */
  useAllLabels: boolean;
  /** Re-predict the visible region every this many steps while training (0 = only on demand). */
  previewEvery: number;
  splits: Record<string, SplitSummary>;
  /** Bumped when held-out masks change (the label layer redraws them hatched). */
  heldOutVersion: number;
  trainRun: TrainRun | null;
  trainCurve: TrainCurve;
  /** The last run's model and what came of it. */
  lastTuning: { readonly modelId: string; readonly name: string; readonly record: TuningRecord } | null;
  setTrainOverrides(change: TrainOverrides): void;
  resetTrainOverrides(): void;
  setUseAllLabels(value: boolean): void;
  setPreviewEvery(steps: number): void;
  /** Called after every change of image `id`'s labels: refreshes its split, or sends the strokes to a running fine-tune. */
  labelsEdited(id: string): void;
  /** Recomputes the validation split of the given images (all painted ones by default). */
  refreshSplits(ids?: readonly string[]): void;
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
  useAllLabels: false,
  previewEvery: 20,
  splits: {} as Record<string, SplitSummary>,
  heldOutVersion: 0,
  trainRun: null as TrainRun | null,
  trainCurve: { step: [], loss: [], smoothed: [], validation: [] } as TrainCurve,
  lastTuning: null as TrainingSlice['lastTuning'],
};

let run: RunContext | null = null;
let runCounter = 0;
const splitTimers = new Map<string, ReturnType<typeof setTimeout>>();

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

/** "0.912 → 0.954" style summary of a validation score pair. */
function scoreChange(record: TuningRecord): string {
  const { before, after } = record;
  if (!before || !after) return 'no validation (all labels trained)';
  return `held-out accuracy ${before.pixelAccuracy.toFixed(3)} → ${after.pixelAccuracy.toFixed(3)}, foreground IoU ${before.foregroundIou.toFixed(3)} → ${after.foregroundIou.toFixed(3)}`;
}

export const createTrainingSlice: StateCreator<StudioState, [], [], TrainingSlice> = (set, get, api) => {
  const fraction = () => get().model?.recipe.fineTune.validationFraction ?? 0.2;

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
    await getWorkerClient().call('updateFineTune', { runId: ctx.runId, preview: found.region, previewNow }, { transfer: found.transfer });
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
    set((s) => ({ trainRun: null, predictionVersion: s.predictionVersion + 1 }));
    get().refreshSplits();
  };

  const computeSplit = (id: string) => {
    splitTimers.delete(id);
    const px = getPixels(id);
    if (!px || run) return;
    const labels = px.labels;
    const painted = labels?.data.some((v) => v !== 0) ?? false;
    const split = labels && painted ? splitRegions(labels.data, labels.width, labels.height, { fraction: fraction(), seed: SPLIT_SEED }) : null;
    px.heldOut = split && !get().useAllLabels && split.heldOutRegions > 0 ? split.validation : null;
    set((s) => ({
      splits: { ...s.splits, [id]: { regions: split?.regions ?? 0, heldOutRegions: split?.heldOutRegions ?? 0 } },
      heldOutVersion: s.heldOutVersion + 1,
    }));
  };

  return {
    ...initialTrainingState,

    setTrainOverrides(change) {
      set((s) => ({ trainOverrides: { ...s.trainOverrides, ...change } }));
    },

    resetTrainOverrides() {
      set({ trainOverrides: {} });
    },

    setUseAllLabels(value) {
      set({ useAllLabels: value });
      get().refreshSplits();
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
      const timer = splitTimers.get(id);
      if (timer) clearTimeout(timer);
      splitTimers.set(id, setTimeout(() => computeSplit(id), 200));
    },

    refreshSplits(ids) {
      const list = ids ?? get().images.filter((i) => getPixels(i.id)?.labels).map((i) => i.id);
      for (const id of list) computeSplit(id);
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
      // The split shown in the panel is the split trained with: refresh it now, not after the debounce.
      for (const [id, timer] of splitTimers) {
        clearTimeout(timer);
        computeSplit(id);
      }
      const useAll = get().useAllLabels;
      const summary = summarisePainted(get(), useAll);
      const problem = checkTrainingLabels(summary, useAll, [state.classes[0].name, state.classes[1].name]);
      if (problem) {
        state.notify('warning', problem);
        state.setStatus(problem);
        return;
      }
      const { id: modelId, name } = nextTunedModel(state.models, parent.card.name);
      const ctx: RunContext = {
        runId: `run-${++runCounter}`,
        modelId,
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
      const { images, transfer } = collectImages(get(), ctx, useAll, fraction());
      for (const image of get().images) {
        const px = getPixels(image.id);
        if (px) px.heldOut = ctx.validation.get(image.id) ?? null;
      }
      const preview = currentPreviewRegion(get(), ctx, parent);
      const overrides = get().trainOverrides;
      const steps = overrides.steps ?? parent.recipe.fineTune.steps;
      set((s) => ({
        trainRun: {
          runId: ctx.runId,
          parentId,
          parentName: parent.card.name,
          modelId,
          name,
          phase: 'waiting',
          step: 0,
          steps,
          loss: Number.NaN,
          msPerStep: 0,
          etaMs: 0,
          labelledPixels: 0,
          images: images.length,
          heldOutRegions: summary.heldOutRegions,
          regions: summary.regions,
          previewStep: null,
        },
        trainCurve: initialTrainingState.trainCurve,
        heldOutVersion: s.heldOutVersion + 1,
      }));
      // Follow the user's view: the next periodic preview shows what they look at then.
      ctx.unsubscribe = api.subscribe((s, prev) => {
        if (run !== ctx || (s.views === prev.views && s.selectedId === prev.selectedId && s.viewport === prev.viewport)) return;
        if (ctx.regionTimer) clearTimeout(ctx.regionTimer);
        ctx.regionTimer = setTimeout(() => void sendPreviewRegion(false), 400);
      });
      state.setStatus(`Fine-tuning "${parent.card.name}" on the labels of ${images.length} image${images.length === 1 ? '' : 's'}…`);
      try {
        const { model } = await getWorkerClient().call(
          'fineTune',
          {
            runId: ctx.runId,
            parentId,
            modelId,
            name,
            images,
            overrides,
            seed: 1,
            previewEvery: get().previewEvery,
            preview: preview?.region ?? null,
            ...(get().segmentOptions.budgetBytes ? { budgetBytes: get().segmentOptions.budgetBytes } : {}),
          },
          { signal: ctx.controller.signal, transfer: [...transfer, ...(preview?.transfer ?? [])], onProgress: onEvent },
        );
        const record = model.tuning;
        finishRun(ctx);
        get().addModelEntry({ id: model.id, label: model.card.name, source: { kind: 'session' }, ...(record ? { tuning: record } : {}) });
        if (record) set({ lastTuning: { modelId: model.id, name: model.card.name, record } });
        const stepsText = record ? `${record.steps}${record.aborted ? ` of ${record.requestedSteps} (stopped)` : ''} steps` : '';
        const what = record ? `${record.message} (${stepsText}; ${scoreChange(record)})` : '';
        if (record?.kept === 'tuned') {
          get().setStatus(`"${model.card.name}" is ready: ${what} Segmenting with it…`);
          await get().loadModel(model.id);
          const selected = get().selectedId;
          if (selected && get().modelId === model.id) await get().segmentImages([selected]);
          get().setStatus(`Now using "${model.card.name}": ${what}`);
        } else {
          get().setStatus(`"${model.card.name}" keeps the starting weights: ${what}`);
        }
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
      if (!run) return;
      try {
        await sendPreviewRegion(true);
      } catch (error) {
        get().notify('warning', `Could not preview: ${errorText(error)}`);
      }
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
