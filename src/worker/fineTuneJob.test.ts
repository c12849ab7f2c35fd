import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../model/nodeBackend.node';
import { percentile } from '../image/normalize';
import { fineTune } from '../model/fineTune';
import { segmenterFromArtifacts } from '../model/io';
import { importModelZip } from '../model/modelImport';
import { segmenterRevision } from '../model/revision';
import type { FineTuneOptions, FineTuneResult, FineTuneSample } from '../model/fineTuneTypes';
import type { TrainingRecipe } from '../model/recipe';
import type { Segmenter } from '../model/types';
import type { WorkerClient } from './client';
import { createExportHandlers } from './exportHandlers';
import { createFineTuneHandlers, type FineTuneFn } from './fineTuneHandlers';
import { startModelWorker } from './inProcessWorker';
import type { ModelState } from './modelHandlers';
import type { FineTuneEvent, FineTuneImage, ModelSource, PlaneMessage, PreviewRegion } from './protocol';

/*
 * The model worker's job plumbing in Node, with real tfjs models (a tiny random U-Net) and the real
 * dispatcher, queue, registry and handlers; only the trainer is a small fake whose "steps" change the
 * weights over several macrotasks (as a real step does while it reads back its loss), so that anything
 * run during a step instead of between steps would see half-updated weights.
 */

const tiny: ModelSource = { kind: 'random', name: 'tiny', config: { depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 3 } };

const recipe: TrainingRecipe = {
  loss: { w0: 0, sigma: 5, balanceClasses: false, objectClass: 2 },
  augment: false,
  tileSize: 124,
  batchSize: 1,
  optimizer: 'adam',
  learningRate: 1e-3,
  schedule: 'constant',
  fineTune: { optimizer: 'adam', learningRate: 1e-4, schedule: 'constant', steps: 4, distillation: 0, encoderLrScale: 1, validationFraction: 0.2, validateEvery: 2, patience: 0 },
};

/** What the fake trainer saw. */
interface TrainerLog {
  steps: number;
  /** Label sums of the samples each step trained on (new strokes show up as a larger sum). */
  labelSums: number[];
  /** Waits before step `gateStep` until the test opens it (to send requests while training is going on). */
  gate?: { step: number; promise: Promise<void> };
}

function fakeTrainer(log: TrainerLog): FineTuneFn {
  return async (segmenter: Segmenter, samples: readonly FineTuneSample[], options: FineTuneOptions): Promise<FineTuneResult> => {
    const settings = { ...options.recipe.fineTune, ...options.overrides };
    let current = samples;
    let step = 0;
    const score = { loss: 0.7, pixelAccuracy: 0.5, foregroundIou: 0.3, pixels: 10 };
    options.onValidation?.({ ...score, step: 0, best: true });
    while (step < settings.steps && !options.signal?.aborted) {
      if (log.gate && log.gate.step === step + 1) {
        await log.gate.promise;
        if (options.signal?.aborted) break;
      }
      // Half a step: the first layer's weights change, then time passes, then the rest.
      const weights = segmenter.model.getWeights();
      const next = weights.map((w) => tf.tidy(() => w.mul(1.05).add(0.001)));
      segmenter.model.setWeights([next[0], ...weights.slice(1)]);
      await new Promise((r) => setTimeout(r, 3));
      segmenter.model.setWeights(next);
      tf.dispose(next);
      step++;
      log.steps = step;
      log.labelSums.push(current.reduce((s, c) => s + c.labels.reduce((a, b) => a + b, 0), 0));
      options.onProgress?.({ step, steps: settings.steps, loss: 1 / step, smoothedLoss: 1 / step, learningRate: settings.learningRate, msPerStep: 3, labelledPixels: 10, etaMs: 0 });
      if (options.previewEvery && step % options.previewEvery === 0) await options.onPreview?.(step, segmenter);
      current = options.pollSamples?.() ?? current;
      await options.betweenSteps?.();
    }
    const aborted = Boolean(options.signal?.aborted);
    return {
      steps: step,
      aborted,
      stoppedEarly: false,
      before: score,
      after: { ...score, pixelAccuracy: 0.6 },
      bestStep: step,
      kept: 'tuned',
      message: `Kept the weights of step ${step}.`,
      msPerStep: 3,
      tileSize: 124,
      outputTileSize: 84,
      settings,
    };
  };
}

/** The worker's model, fine-tune and export handlers over one state, `trainer` in place of fineTune. */
function startWorker(trainer: FineTuneFn): { client: WorkerClient; state: ModelState } {
  return startModelWorker({ resolveRecipe: () => recipe, families: [(state) => createFineTuneHandlers(state, trainer), createExportHandlers] });
}

/** A smooth test image with bright blobs (raw units, 0..255). */
function image(size: number): PlaneMessage {
  const data = new Float32Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) data[y * size + x] = 60 + 120 * Math.max(0, Math.sin(x / 6) * Math.cos(y / 7)) + ((x * 7 + y * 13) % 17);
  return { width: size, height: size, data };
}

function paintedImage(size: number): FineTuneImage {
  const labels = new Uint8Array(size * size);
  labels.fill(1, 0, size * 4);
  labels.fill(2, size * 30, size * 33);
  return { imageId: 'a', name: 'a.png', image: image(size), labels };
}

const copyPlane = (p: PlaneMessage): PlaneMessage => ({ width: p.width, height: p.height, data: p.data.slice() });
const segmentOptions = { tta: false };

function gate(): { promise: Promise<void>; open(): void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('model worker jobs', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });
  afterAll(() => {
    tf.disposeVariables();
  });

  it('a segmentation asked for during a fine-tune is served between steps, on the intact parent, and corrupts neither', async () => {
    const startTensors = tf.memory().numTensors;
    const log: TrainerLog = { steps: 0, labelSums: [] };
    const hold = gate();
    log.gate = { step: 2, promise: hold.promise };
    const { client, state } = startWorker(fakeTrainer(log));
    await client.call('loadModel', { id: 'tiny', source: tiny });
    const picture = image(64);
    const alone = await client.call('segment', { modelId: 'tiny', image: copyPlane(picture), options: segmentOptions });
    const parentWeights = state.registry.peek('tiny')!.segmenter.model.getWeights().map((w) => w.dataSync().slice());

    const training = client.call('fineTune', { runId: 'r1', parentId: 'tiny', modelId: 'tiny~1', name: 'tiny · tuned 1', images: [paintedImage(64)], overrides: {}, seed: 1, previewEvery: 0, preview: null });
    while (log.steps < 1) await new Promise((r) => setTimeout(r, 2));
    const during = client.call('segment', { modelId: 'tiny', image: copyPlane(picture), options: segmentOptions });
    hold.open();
    const served = await during;
    // Served before the run ended, i.e. at a safe point, not after minutes of waiting.
    expect(log.steps).toBeLessThan(4);
    const { model } = await training;

    // The parent was not trained and its segmentation did not change.
    expect(Array.from(served.probabilities)).toEqual(Array.from(alone.probabilities));
    const after = state.registry.peek('tiny')!.segmenter.model.getWeights().map((w) => w.dataSync());
    after.forEach((w, k) => expect(Array.from(w)).toEqual(Array.from(parentWeights[k])));

    // The run went its whole course on its copy: exactly 4 whole steps applied (w -> 1.05 w + 0.001 per step).
    expect(model.id).toBe('tiny~1');
    expect(model.tuning).toMatchObject({ parentId: 'tiny', steps: 4, requestedSteps: 4, kept: 'tuned', images: 1 });
    expect(model.card.name).toBe('tiny · tuned 1');
    const tuned = state.registry.peek('tiny~1')!.segmenter.model.getWeights()[0].dataSync();
    let expected = Float32Array.from(parentWeights[0]);
    for (let k = 0; k < 4; k++) expected = expected.map((v) => v * 1.05 + 0.001);
    tuned.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));

    const tunedSegment = await client.call('segment', { modelId: 'tiny~1', image: copyPlane(picture), options: segmentOptions });
    expect(Array.from(tunedSegment.probabilities)).not.toEqual(Array.from(alone.probabilities));

    for (const id of state.registry.ids()) state.registry.remove(id);
    expect(tf.memory().numTensors).toBe(startTensors);
  });

  it('switching to another model during a fine-tune loads it between steps; removing the parent waits for the run', async () => {
    const log: TrainerLog = { steps: 0, labelSums: [] };
    const hold = gate();
    log.gate = { step: 2, promise: hold.promise };
    const { client, state } = startWorker(fakeTrainer(log));
    await client.call('loadModel', { id: 'tiny', source: tiny });
    const parentWeight = state.registry.peek('tiny')!.segmenter.model.getWeights()[0];
    const training = client.call('fineTune', { runId: 'r2', parentId: 'tiny', modelId: 'tiny~1', name: 'tiny · tuned 1', images: [paintedImage(64)], overrides: {}, seed: 1, previewEvery: 0, preview: null });
    while (log.steps < 1) await new Promise((r) => setTimeout(r, 2));
    const other: ModelSource = { kind: 'random', name: 'other', config: { depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 9 } };
    const switched = client.call('loadModel', { id: 'other', source: other });
    const removed = await client.call('removeModel', { id: 'tiny' });
    expect(removed.removed).toBe(true);
    hold.open();
    expect((await switched).card.name).toBe('other');
    expect(log.steps).toBeLessThan(4);
    // The run holds its parent: it was not disposed under it.
    expect(parentWeight.isDisposed).toBe(false);
    const { model } = await training;
    expect(model.tuning?.steps).toBe(4);
    expect(parentWeight.isDisposed).toBe(true);
    expect(state.registry.ids().sort()).toEqual(['other', 'tiny~1']);
    for (const id of state.registry.ids()) state.registry.remove(id);
  });

  it('Stop ends the run with its true step count and keeps it as a model; a cancelled run is discarded', async () => {
    const log: TrainerLog = { steps: 0, labelSums: [] };
    const hold = gate();
    log.gate = { step: 3, promise: hold.promise };
    const { client, state } = startWorker(fakeTrainer(log));
    await client.call('loadModel', { id: 'tiny', source: tiny });
    const events: FineTuneEvent[] = [];
    const training = client.call(
      'fineTune',
      { runId: 'r3', parentId: 'tiny', modelId: 'tiny~1', name: 'tiny · tuned 1', images: [paintedImage(64)], overrides: { steps: 50 }, seed: 1, previewEvery: 0, preview: null },
      { onProgress: (e) => events.push(e) },
    );
    while (log.steps < 2) await new Promise((r) => setTimeout(r, 2));
    expect((await client.call('stopFineTune', { runId: 'r3' })).stopping).toBe(true);
    hold.open();
    const { model } = await training;
    expect(model.tuning).toMatchObject({ steps: 2, requestedSteps: 50, aborted: true, bestStep: 2 });
    expect(model.card.trainedSteps).toBe(2);
    expect(events.filter((e) => e.kind === 'step').map((e) => (e.kind === 'step' ? e.step : 0))).toEqual([1, 2]);
    expect(events[0]).toMatchObject({ kind: 'validation', point: { step: 0 } });
    expect((await client.call('stopFineTune', { runId: 'r3' })).stopping).toBe(false);

    const controller = new AbortController();
    const log2: TrainerLog = { steps: 0, labelSums: [] };
    const { client: client2, state: state2 } = startWorker(fakeTrainer(log2));
    await client2.call('loadModel', { id: 'tiny', source: tiny });
    const discarded = client2.call('fineTune', { runId: 'r4', parentId: 'tiny', modelId: 'tiny~1', name: 'x', images: [paintedImage(64)], overrides: { steps: 50 }, seed: 1, previewEvery: 0, preview: null }, { signal: controller.signal });
    while (log2.steps < 1) await new Promise((r) => setTimeout(r, 2));
    controller.abort();
    await expect(discarded).rejects.toMatchObject({ name: 'AbortError' });
    await new Promise((r) => setTimeout(r, 20));
    expect(state2.registry.ids()).toEqual(['tiny']);
    for (const s of [state, state2]) for (const id of s.registry.ids()) s.registry.remove(id);
  });

  it('after a validation that beats the best, the next safe point sends the weights of that step as a checkpoint', async () => {
    const revisions: string[] = [];
    // Three steps; validation after step 2 improves (best), after step 3 it does not.
    const trainer: FineTuneFn = async (segmenter, _samples, options) => {
      const result = await fakeTrainer({ steps: 0, labelSums: [] })(segmenter, _samples, {
        ...options,
        overrides: { ...options.overrides, steps: 3 },
        onProgress: (p) => {
          options.onProgress?.(p);
          const score = { loss: 0.5, pixelAccuracy: 0.6, foregroundIou: 0.4, pixels: 10 };
          if (p.step >= 2) options.onValidation?.({ ...score, step: p.step, best: p.step === 2 });
        },
        betweenSteps: async () => {
          revisions.push(await segmenterRevision(segmenter));
          await options.betweenSteps?.();
        },
      });
      return result;
    };
    const { client, state } = startWorker(trainer);
    await client.call('loadModel', { id: 'tiny', source: tiny });
    const events: FineTuneEvent[] = [];
    await client.call(
      'fineTune',
      { runId: 'c1', parentId: 'tiny', modelId: 'tiny~c', name: 'tiny · tuned 1', images: [paintedImage(64)], overrides: {}, seed: 1, previewEvery: 0, preview: null },
      { onProgress: (e) => events.push(e) },
    );
    const checkpoints = events.filter((e): e is Extract<FineTuneEvent, { kind: 'checkpoint' }> => e.kind === 'checkpoint');
    expect(checkpoints.map((c) => c.step)).toEqual([2]);
    const imported = importModelZip(checkpoints[0].zip);
    expect(imported.card.name).toBe('tiny · tuned 1');
    const restored = await segmenterFromArtifacts(imported.artifacts, imported.card);
    // The weights of step 2 (betweenSteps after steps 1, 2 and 3 saw revisions[0..2]).
    expect(await segmenterRevision(restored)).toBe(revisions[1]);
    expect(revisions[1]).not.toBe(revisions[2]);
    restored.dispose();
    for (const id of state.registry.ids()) state.registry.remove(id);
  });

  it('strokes painted during the run join the next steps; the preview of the visible region equals a whole-image segmentation', async () => {
    const log: TrainerLog = { steps: 0, labelSums: [] };
    const hold = gate();
    log.gate = { step: 2, promise: hold.promise };
    const { client, state } = startWorker(fakeTrainer(log));
    await client.call('loadModel', { id: 'tiny', source: tiny });
    const size = 96;
    const picture = image(size);
    // The visible region plus the tiny U-Net's 20 px context margin, its edges on the 4 px pooling grid.
    const inner = { x: 30, y: 36, width: 40, height: 30 };
    const crop = { x: 8, y: 16, width: 84, height: 72 };
    const cropData = new Float32Array(crop.width * crop.height);
    for (let r = 0; r < crop.height; r++) cropData.set(picture.data.subarray((crop.y + r) * size + crop.x, (crop.y + r) * size + crop.x + crop.width), r * crop.width);
    const range = { min: percentile(picture.data, 1), max: percentile(picture.data, 99.8) };
    const preview: PreviewRegion = { imageId: 'a', x: crop.x, y: crop.y, plane: { width: crop.width, height: crop.height, data: cropData }, inner, range };
    const painted = paintedImage(size);
    painted.image!.data.set(picture.data);
    const events: FineTuneEvent[] = [];
    const training = client.call(
      'fineTune',
      { runId: 'r5', parentId: 'tiny', modelId: 'tiny~1', name: 'tiny · tuned 1', images: [painted], overrides: { steps: 4 }, seed: 1, previewEvery: 4, preview },
      { onProgress: (e) => events.push(e) },
    );
    while (log.steps < 1) await new Promise((r) => setTimeout(r, 2));
    const more = painted.labels.slice();
    more.fill(2, size * 60, size * 62);
    expect((await client.call('updateFineTune', { runId: 'r5', images: [{ imageId: 'a', name: 'a.png', labels: more }] })).accepted).toBe(true);
    hold.open();
    await training;
    // Step 1 trained on the first labels; the update arrived before step 2's poll, so steps 3-4 see it.
    const first = log.labelSums[0];
    expect(log.labelSums.at(-1)).toBe(first + 2 * size * 2);

    const previews = events.filter((e): e is Extract<FineTuneEvent, { kind: 'preview' }> => e.kind === 'preview');
    expect(previews.map((p) => p.step)).toEqual([4]);
    const p = previews[0];
    expect([p.x, p.y, p.width, p.height]).toEqual([inner.x, inner.y, inner.width, inner.height]);
    // The tuned model holds the weights of step 4: its whole-image segmentation, cut to the visible region,
    // is what the preview showed (context margin and whole-image normalisation make them agree).
    const whole = await client.call('segment', { modelId: 'tiny~1', image: copyPlane(picture), options: segmentOptions });
    let maxDiff = 0;
    for (let r = 0; r < inner.height; r++) {
      for (let c = 0; c < inner.width; c++) {
        maxDiff = Math.max(maxDiff, Math.abs(p.probabilities[r * inner.width + c] - whole.probabilities[(inner.y + r) * size + inner.x + c]));
      }
    }
    expect(maxDiff).toBeLessThan(1e-4);
    for (const id of state.registry.ids()) state.registry.remove(id);
  });

  it('with the real trainer: a segmentation served between steps leaves the run exactly as it is without one', async () => {
    const startTensors = tf.memory().numTensors;
    const picture = image(64);
    /** The real fineTune; optionally held after step 1 until a segmentation request is in the queue. */
    const run = async (interleave: boolean): Promise<{ weights: Float32Array[]; served: Float32Array | null; alone: Float32Array }> => {
      const hold = gate();
      let stepped = () => {};
      const firstStep = new Promise<void>((resolve) => (stepped = resolve));
      const trainer: FineTuneFn = (segmenter, samples, options) =>
        fineTune(segmenter, samples, {
          ...options,
          onProgress: (p) => {
            options.onProgress?.(p);
            if (p.step === 1) stepped();
          },
          betweenSteps: async () => {
            if (interleave) await hold.promise;
            await options.betweenSteps?.();
          },
        });
      const { client, state } = startWorker(trainer);
      await client.call('loadModel', { id: 'tiny', source: tiny });
      const alone = (await client.call('segment', { modelId: 'tiny', image: copyPlane(picture), options: segmentOptions })).probabilities;
      const training = client.call('fineTune', { runId: 'r', parentId: 'tiny', modelId: 'tiny~1', name: 't', images: [paintedImage(64)], overrides: { steps: 4 }, seed: 5, previewEvery: 0, preview: null });
      let served: Float32Array | null = null;
      if (interleave) {
        await firstStep;
        const during = client.call('segment', { modelId: 'tiny', image: copyPlane(picture), options: segmentOptions });
        hold.open();
        served = (await during).probabilities;
      }
      const { model } = await training;
      expect(model.tuning?.steps).toBe(4);
      const weights = state.registry.peek('tiny~1')!.segmenter.model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
      for (const id of state.registry.ids()) state.registry.remove(id);
      return { weights, served, alone };
    };
    const plain = await run(false);
    const mixed = await run(true);
    expect(Array.from(mixed.served!)).toEqual(Array.from(mixed.alone));
    expect(mixed.weights.length).toBe(plain.weights.length);
    mixed.weights.forEach((w, k) => expect(Array.from(w)).toEqual(Array.from(plain.weights[k])));
    // And the run did train: its weights differ from the parent's.
    const { client, state } = startWorker(fineTune);
    await client.call('loadModel', { id: 'tiny', source: tiny });
    const parent = state.registry.peek('tiny')!.segmenter.model.getWeights().map((w) => w.dataSync());
    expect(parent.some((w, k) => w.some((v, i) => v !== plain.weights[k][i]))).toBe(true);
    state.registry.remove('tiny');
    expect(tf.memory().numTensors).toBe(startTensors);
  });
});
