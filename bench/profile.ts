/**
 * Per-layer profile of tfjs-wasm in Node (issue 11 item 2): where the time of a forward pass and of a
 * training step goes, by kind of op (3x3 conv, up-convolution, crop, concatenation, their gradients...) and
 * by layer, with the convolutions' share; end-to-end s/image through segmentPlane; training ms/step.
 * Two variants in the same process, interleaved round by round in rotated order, medians reported and
 * the load average recorded around every measurement (the machine may be shared):
 *   - stock: tfjs-backend-wasm's own Slice/Concat, the up-convolution as matmul + DepthToSpace, the
 *     layers model executed as built (the state before issue 11 item 2);
 *   - fast:  setWasmFastPaths(true): row-copy up-convolution and copy kernels, folded skip concatenation.
 * Timing goals live here, never in tests. Prints JSON.
 *
 *   npm run bench:profile                         EM model, 1024x1024 image, 3 rounds, training step too
 *   npm run bench:profile -- --rounds 5 --side 512 --model nuclei --train-steps 3 --no-train
 */
import * as tf from '@tensorflow/tfjs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { initNodeBackend } from '../cli/backend';
import { readRaster } from '../cli/dataset';
import { loadModelDir } from '../cli/modelFiles';
import { prepareInput } from '../src/image/normalize';
import type { FloatPlane } from '../src/image/types';
import { gradientSmokeTest } from '../src/model/gradientCheck';
import { budgetFromLimits, chooseTile } from '../src/model/memoryBudget';
import { segmentPlane } from '../src/model/segment';
import { planShape } from '../src/model/tiling';
import type { UnetConfig } from '../src/model/types';
import { createUnet } from '../src/model/unet';
import { setWasmFastPaths } from '../src/model/wasmFastPaths';
import { CONVOLUTION_KINDS, summariseKernels } from './profileKernels';
import type { ProfileRow } from './profileKernels';
import { fixedTileStep } from './fixedTileStep';

const root = path.resolve(import.meta.dirname, '..');
const ISBI = path.resolve(root, '../shared/data/isbi2012-em/images');
const VARIANTS = ['stock', 'fast'] as const;
type Variant = (typeof VARIANTS)[number];
/** The training case: depth 3, 16 filters, 252 px tile, Adam. */
const TRAIN_CONFIG: UnetConfig = { depth: 3, baseFilters: 16, inChannels: 1, classes: 2, dropout: 0.1, padding: 'valid', seed: 1 };
const TRAIN_TILE = 252;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sig = (v: number, digits = 3): number => Number(v.toPrecision(digits));
const load = (): number => sig(os.loadavg()[0]);

/** side x side mosaic of ISBI slices (512 px each), each normalised with the model card. */
function emMosaic(side: number, normalize: (file: string) => FloatPlane): FloatPlane {
  const data = new Float32Array(side * side);
  const n = Math.ceil(side / 512);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const slice = normalize(path.join(ISBI, `${(r * n + c) % 25}.png`));
      const w = Math.min(512, side - c * 512);
      for (let y = 0; y < 512 && r * 512 + y < side; y++) {
        data.set(slice.data.subarray(y * slice.width, y * slice.width + w), (r * 512 + y) * side + c * 512);
      }
    }
  }
  return { width: side, height: side, data };
}

interface Profiled {
  readonly wallMs: number;
  readonly byKind: ProfileRow[];
  readonly byLayer: ProfileRow[];
  readonly kernelMs: number;
}

async function profiled(f: () => void): Promise<Profiled> {
  let wallMs = 0;
  const p = await tf.profile(() => {
    const t0 = performance.now();
    f();
    wallMs = performance.now() - t0;
  });
  const { byKind, byLayer, totalMs } = summariseKernels(p.kernels);
  return { wallMs, byKind, byLayer, kernelMs: totalMs };
}


interface Samples {
  forward: Profiled[];
  imageSeconds: number[];
  trainProfiles: Profiled[];
  trainMs: number[];
  loads: number[];
}

/** Medians per key over the rounds, with share of the kernel total and GFLOP/s. */
function medianRows(runs: readonly Profiled[], pick: (p: Profiled) => ProfileRow[], limit: number): object[] {
  const keys = [...new Set(runs.flatMap((r) => pick(r).map((row) => row.key)))];
  const total = median(runs.map((r) => r.kernelMs));
  const rows = keys.map((key) => {
    const found = runs.map((r) => pick(r).find((row) => row.key === key));
    const ms = median(found.map((row) => row?.ms ?? 0));
    const flops = found.find((row) => row !== undefined)?.flops ?? 0;
    return { key, ms: sig(ms), share: sig(ms / total, 2), gflopPerS: flops > 0 ? sig(flops / ms / 1e6) : undefined, count: found[0]?.count };
  });
  return rows.sort((a, b) => b.ms - a.ms).slice(0, limit);
}

function convolutionShare(runs: readonly Profiled[], kinds: readonly string[]): number {
  return sig(median(runs.map((r) => r.byKind.filter((k) => kinds.includes(k.key)).reduce((n, k) => n + k.ms, 0) / r.kernelMs)), 2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rounds: { type: 'string' }, side: { type: 'string' }, model: { type: 'string' }, 'train-steps': { type: 'string' }, 'no-train': { type: 'boolean' } },
  });
  const rounds = Number(values.rounds ?? 3);
  const side = Number(values.side ?? 1024);
  const trainSteps = Number(values['train-steps'] ?? 3);
  const train = values['no-train'] !== true;
  if (![rounds, side, trainSteps].every((v) => Number.isInteger(v) && v >= 1)) {
    throw new Error('usage: bench/profile.ts [--rounds 3] [--side 1024] [--model em-membranes|nuclei] [--train-steps 3] [--no-train]');
  }
  const started = performance.now();
  const loadStart = os.loadavg().map((v) => sig(v));
  await initNodeBackend('wasm');
  const { segmenter, card } = await loadModelDir(path.join(root, 'public/models', values.model ?? 'em-membranes'));
  const config = card.architecture;
  const image = emMosaic(side, (file) => prepareInput(readRaster(file), card.normalization));
  const budget = budgetFromLimits({ backend: 'wasm' });
  const { tileOutput, batch } = chooseTile({ config, budgetBytes: budget.budgetBytes, maxBindingBytes: budget.maxBindingBytes, imageSize: { height: side, width: side } });
  const plan = planShape(config, side, side, tileOutput);
  const tile = tf.randomUniform([batch, plan.inputHeight, plan.inputWidth, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
  const trainNet = train ? createUnet(TRAIN_CONFIG) : null;
  const stepper = trainNet ? fixedTileStep(trainNet, TRAIN_TILE, 'ones') : null;
  if (trainNet) await gradientSmokeTest(trainNet);

  const samples: Record<Variant, Samples> = {
    stock: { forward: [], imageSeconds: [], trainProfiles: [], trainMs: [], loads: [] },
    fast: { forward: [], imageSeconds: [], trainProfiles: [], trainMs: [], loads: [] },
  };
  const measure = async (v: Variant, record: boolean): Promise<void> => {
    setWasmFastPaths(v === 'fast');
    const s = samples[v];
    const before = load();
    const fwd = await profiled(() => segmenter.predictTile(tile).dispose());
    const t0 = performance.now();
    await segmentPlane(segmenter, image, { tileOutput, batch, foregroundClass: card.foregroundClass });
    const imageSeconds = (performance.now() - t0) / 1000;
    let trainProfile: Profiled | undefined;
    const stepMs: number[] = [];
    if (stepper) {
      trainProfile = await profiled(stepper.step);
      for (let k = 0; k < trainSteps; k++) {
        const t1 = performance.now();
        stepper.step();
        stepMs.push(performance.now() - t1);
      }
    }
    if (!record) return;
    s.forward.push(fwd);
    s.imageSeconds.push(imageSeconds);
    if (trainProfile) s.trainProfiles.push(trainProfile);
    if (stepMs.length > 0) s.trainMs.push(median(stepMs));
    s.loads.push(sig((before + load()) / 2));
  };
  // Warm-up (XNNPACK operator creation, optimizer slots) of both variants, not recorded.
  for (const v of VARIANTS) await measure(v, false);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < VARIANTS.length; k++) await measure(VARIANTS[(k + r) % VARIANTS.length], true);
  }
  setWasmFastPaths(true);

  const report = (v: Variant): object => {
    const s = samples[v];
    return {
      forward: {
        wallMs: sig(median(s.forward.map((p) => p.wallMs))),
        // The goal (>= 80%) is about the 3x3/1x1 convolutions: the up-convolution has < 2% of the FLOPs.
        conv3x3And1x1Share: convolutionShare(s.forward, ['conv 3x3', 'conv 1x1']),
        allConvolutionsShare: convolutionShare(s.forward, CONVOLUTION_KINDS),
        byKind: medianRows(s.forward, (p) => p.byKind, 20),
        byLayer: medianRows(s.forward, (p) => p.byLayer, 40),
      },
      secondsPerImage: sig(median(s.imageSeconds)),
      imageRuns: s.imageSeconds.map((x) => sig(x)),
      training:
        s.trainMs.length === 0
          ? undefined
          : {
              msPerStep: sig(median(s.trainMs)),
              stepRuns: s.trainMs.map((x) => sig(x)),
              conv3x3And1x1Share: convolutionShare(s.trainProfiles, ['conv 3x3', 'conv 1x1', 'conv 3x3 dX', 'conv 3x3 dW']),
              allConvolutionsShare: convolutionShare(s.trainProfiles, CONVOLUTION_KINDS),
              byKind: medianRows(s.trainProfiles, (p) => p.byKind, 20),
            },
      loadDuringRounds: s.loads,
    };
  };
  stepper?.dispose();
  trainNet?.dispose();
  tile.dispose();
  segmenter.dispose();
  const cpus = os.cpus();
  const result = {
    benchmark: 'profile (tfjs-wasm, Node, one thread)',
    machine: { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, node: process.version, tfjs: tf.version.tfjs },
    loadAverage: { start: loadStart, end: os.loadavg().map((v) => sig(v)) },
    model: card.name,
    image: `${side}x${side} mosaic of ISBI 2012 slices`,
    plan: { tileInput: `${plan.inputHeight}x${plan.inputWidth}`, tileOutput, tiles: plan.rows * plan.cols, batch },
    training: train ? { config: TRAIN_CONFIG, tile: TRAIN_TILE, optimizer: 'adam', stepsTimedPerRound: trainSteps } : undefined,
    rounds,
    variants: { stock: report('stock'), fast: report('fast') },
    wallSeconds: sig((performance.now() - started) / 1000),
  };
  console.log(JSON.stringify(result, null, 2));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
