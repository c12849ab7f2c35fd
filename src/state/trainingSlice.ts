import { zipSync } from 'fflate';
import type { StateCreator } from 'zustand';
import { toSingleChannel } from '../image/normalize';
import type { TrainingExample, TrainOptions } from '../worker/protocol';
import { getWorkerClient } from './client';
import { getPixels } from './pixels';
import type { StudioState } from './store';

export interface TrainRun {
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  readonly msPerStep: number;
}

export interface TrainingSlice {
  trainOptions: TrainOptions;
  trainRun: TrainRun | null;
  /** Loss after each step of the current/last run, for the loss curve. */
  lossHistory: number[];
  setTrainOptions(change: Partial<TrainOptions>): void;
  /** Fine-tunes the loaded model on the painted labels of every image that has some. */
  trainOnPaintedLabels(): Promise<void>;
  cancelTraining(): void;
  /** Downloads the loaded (possibly fine-tuned) model as model.json + weights + card. */
  downloadModel(): Promise<void>;
}

/** Fine-tuning defaults: Adam converges in the few hundred steps a user waits for; small LR keeps what the model knew. */
export const initialTrainingState = {
  trainOptions: { steps: 100, learningRate: 3e-4, optimizer: 'adam', seed: 1 } as TrainOptions,
  trainRun: null as TrainRun | null,
  lossHistory: [] as number[],
};

let controller: AbortController | null = null;

/** The painted images as training examples (copies: the buffers are transferred to the worker). */
function collectExamples(state: StudioState): { examples: TrainingExample[]; transfer: ArrayBuffer[] } {
  const examples: TrainingExample[] = [];
  const transfer: ArrayBuffer[] = [];
  for (const image of state.images) {
    const px = getPixels(image.id);
    if (!px?.labels) continue;
    const labels = px.labels.data.slice();
    if (!labels.some((v) => v !== 0)) continue;
    const plane = toSingleChannel(px.raster, image.channel);
    examples.push({ image: plane, labels });
    transfer.push(plane.data.buffer as ArrayBuffer, labels.buffer as ArrayBuffer);
  }
  return { examples, transfer };
}

function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const createTrainingSlice: StateCreator<StudioState, [], [], TrainingSlice> = (set, get) => ({
  ...initialTrainingState,

  setTrainOptions(change) {
    set((s) => ({ trainOptions: { ...s.trainOptions, ...change } }));
  },

  async trainOnPaintedLabels() {
    const state = get();
    if (controller) return;
    if (state.modelStatus !== 'ready' || !state.model) {
      state.notify('warning', 'Load a model before training.');
      return;
    }
    const { examples, transfer } = collectExamples(state);
    if (examples.length === 0) {
      state.notify('warning', 'Nothing to train on: paint background and foreground labels on at least one image first.');
      return;
    }
    const run = new AbortController();
    controller = run;
    const steps = state.trainOptions.steps;
    set({ trainRun: { step: 0, steps, loss: Number.NaN, msPerStep: 0 }, lossHistory: [] });
    state.setStatus(`Fine-tuning on the labels of ${examples.length} image(s)…`);
    try {
      const result = await getWorkerClient().call(
        'train',
        { examples, options: state.trainOptions },
        {
          signal: run.signal,
          transfer,
          onProgress: (p) => set((s) => ({ trainRun: p, lossHistory: [...s.lossHistory, p.loss] })),
        },
      );
      const model = get().model;
      if (model) set({ model: { ...model, card: result.card, random: false } });
      get().setStatus(`Fine-tuned for ${result.steps} steps (loss ${result.loss.toFixed(3)}, ${result.msPerStep.toFixed(0)} ms/step). Segment again to see the new predictions.`);
    } catch (error) {
      if (error instanceof Error && error.name === 'AbortError') {
        // The worker kept the weights of the last finished step and gave the card a new revision; fetch it
        // so that predictions cached for the old weights are not shown as current.
        const model = await getWorkerClient().call('describeModel', {});
        set({ model });
        get().setStatus('Training stopped; the model keeps the weights of the last finished step. Segment again to see them.');
      }
      else get().notify('error', `Training failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      controller = null;
      set({ trainRun: null });
    }
  },

  cancelTraining() {
    controller?.abort();
  },

  async downloadModel() {
    try {
      const { name, files } = await getWorkerClient().call('exportModel', {});
      const zip = zipSync(Object.fromEntries(files.map((f) => [f.name, f.bytes])));
      download(`${name.replace(/[^\w.-]+/g, '_')}.zip`, new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
    } catch (error) {
      get().notify('error', `Could not export the model: ${error instanceof Error ? error.message : String(error)}`);
    }
  },
});
