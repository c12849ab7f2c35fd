/**
 * Training-step profile of issue 11's case on tfjs-wasm in Node, one thread: depth 3, 16 filters, one 252 px
 * tile, batch 1, Adam, border weight map and default augmentation. Two variants in one process, interleaved
 * round by round in rotated order, medians, load average recorded with every measurement:
 *   - stock: setWasmTrainingFastPaths(false): the filter gradient as a dilated conv2d, stock MaxPoolGrad,
 *     SplitV and Identity (everything else as shipped);
 *   - fast:  the matmul filter gradient and the other training kernels (wasmFilterGradient.ts,
 *     wasmTrainingKernels.ts).
 * Per round and variant: the whole step as trainSegmenter runs it (tile sampling with augmentation and weights,
 * forward, backward, Adam; ms/step over --steps steps after one untimed step), the tensor part alone, and one
 * tf.profile of the tensor part (shares by kind of kernel). Also the tile sampler alone (ms per tile). Steps
 * are timed in wall and in process CPU time: on a shared machine the second is the one to compare.
 * Timing goals live here, never in tests. Prints JSON.
 *
 *   npm run bench:train-profile                        3 rounds, 4 steps per measurement
 *   npm run bench:train-profile -- --rounds 5 --steps 6
 */
import * as tf from '@tensorflow/tfjs';
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import { initNodeBackend } from '../cli/backend';
import { defaultAugmentation } from '../src/model/augment';
import { createRng } from '../src/model/random';
import { createTileSampler } from '../src/model/tileSampler';
import { trainSegmenter } from '../src/model/train';
import type { TrainingSample } from '../src/model/train';
import { prepareSample } from '../src/model/trainingSamples';
import type { UnetConfig } from '../src/model/types';
import { createUnet } from '../src/model/unet';
import { outputSize } from '../src/model/validSize';
import { setWasmTrainingFastPaths } from '../src/model/wasmFastPaths';
import { CONVOLUTION_KINDS, summariseKernels } from './profileKernels';
import type { ProfileRow } from './profileKernels';
import { syntheticSample } from '../src/model/syntheticDiscs';
import { fixedTileStep } from './fixedTileStep';

const CONFIG: UnetConfig = { depth: 3, baseFilters: 16, inChannels: 1, classes: 2, dropout: 0.1, padding: 'valid', seed: 1 };
const TILE = 252;
const VARIANTS = ['stock', 'fast'] as const;
type Variant = (typeof VARIANTS)[number];

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sig = (v: number, digits = 3): number => Number(v.toPrecision(digits));
const load = (): number => sig(os.loadavg()[0]);
const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

interface Round {
  readonly fullMs: number;
  /** Process CPU time per step: on a shared machine wall time mostly measures the other processes. */
  readonly fullCpuMs: number;
  readonly tensorMs: number;
  readonly tensorCpuMs: number;
  readonly kernelMs: number;
  readonly byKind: ProfileRow[];
  readonly byKernel: Map<string, number>;
  readonly load: number;
}

function samplerMsPerTile(sample: TrainingSample, tiles: number): number {
  const prepared = prepareSample(sample, 2, undefined, 0);
  const sampler = createTileSampler([prepared], { tileSize: TILE, outputSize: outputSize(CONFIG, TILE), augment: defaultAugmentation, rng: createRng(1) });
  sampler.next();
  const ms: number[] = [];
  for (let i = 0; i < tiles; i++) {
    const t0 = performance.now();
    sampler.next();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string' }, steps: { type: 'string' } } });
  const rounds = Number(values.rounds ?? 3);
  const steps = Number(values.steps ?? 4);
  if (![rounds, steps].every((v) => Number.isInteger(v) && v >= 1)) throw new Error('usage: bench/trainProfile.ts [--rounds 3] [--steps 4]');
  const started = performance.now();
  const loadStart = os.loadavg().map((v) => sig(v));
  await initNodeBackend('wasm');
  const net = createUnet(CONFIG);
  const sample = syntheticSample(300);
  const tensor = fixedTileStep(net, TILE, 'random');
  const samples: Record<Variant, Round[]> = { stock: [], fast: [] };

  const measure = async (v: Variant, record: boolean): Promise<void> => {
    setWasmTrainingFastPaths(v === 'fast');
    const before = load();
    // CPU time between progress reports = one whole step; the first (set-up) is left out, as msPerStep does.
    const fullCpu: number[] = [];
    let c0 = cpuMs();
    const full = await trainSegmenter(net, [sample], {
      steps: steps + 1,
      tileSize: TILE,
      seed: 1,
      learningRate: 1e-4,
      skipSmokeTest: true,
      onProgress: () => {
        fullCpu.push(cpuMs() - c0);
        c0 = cpuMs();
      },
    });
    const tensorMs: number[] = [];
    const tensorCpu: number[] = [];
    for (let k = 0; k < steps; k++) {
      const [t0, c1] = [performance.now(), cpuMs()];
      tensor.step();
      tensorMs.push(performance.now() - t0);
      tensorCpu.push(cpuMs() - c1);
    }
    // tf.profile returns the engine's one profile object, overwritten by the next call: summarise now.
    const p = await tf.profile(tensor.step);
    const { byKind, totalMs } = summariseKernels(p.kernels);
    const byKernel = new Map<string, number>();
    for (const k of p.kernels) if (!k.name.includes('__op')) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
    if (record) samples[v].push({ fullMs: full.msPerStep, fullCpuMs: median(fullCpu.slice(1)), tensorMs: median(tensorMs), tensorCpuMs: median(tensorCpu), kernelMs: totalMs, byKind, byKernel, load: sig((before + load()) / 2) });
  };
  // Warm-up (XNNPACK operators, optimizer slots) of both variants, not recorded.
  for (const v of VARIANTS) await measure(v, false);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < VARIANTS.length; k++) await measure(VARIANTS[(k + r) % VARIANTS.length], true);
  }
  setWasmTrainingFastPaths(true);
  const samplerMs = samplerMsPerTile(sample, 9);

  const report = (v: Variant): object => {
    const rs = samples[v];
    const total = median(rs.map((r) => r.kernelMs));
    const kinds = [...new Set(rs.flatMap((r) => r.byKind.map((row) => row.key)))].map((key) => {
      const found = rs.map((r) => r.byKind.find((row) => row.key === key));
      const ms = median(found.map((row) => row?.ms ?? 0));
      const flops = found.find((row) => row !== undefined)?.flops ?? 0;
      return { key, ms: sig(ms), share: sig(ms / total, 2), gflopPerS: flops > 0 ? sig(flops / ms / 1e6) : undefined };
    });
    const names = [...new Set(rs.flatMap((r) => [...r.byKernel.keys()]))];
    const kernels = names.map((name) => ({ name, ms: sig(median(rs.map((r) => r.byKernel.get(name) ?? 0))) }));
    const convShare = median(rs.map((r) => r.byKind.filter((k) => CONVOLUTION_KINDS.includes(k.key)).reduce((n, k) => n + k.ms, 0) / r.kernelMs));
    return {
      fullStepMs: sig(median(rs.map((r) => r.fullMs))),
      fullStepRuns: rs.map((r) => sig(r.fullMs)),
      fullStepCpuMs: sig(median(rs.map((r) => r.fullCpuMs))),
      tensorStepMs: sig(median(rs.map((r) => r.tensorMs))),
      tensorStepCpuMs: sig(median(rs.map((r) => r.tensorCpuMs))),
      tensorStepRuns: rs.map((r) => sig(r.tensorMs)),
      profiledKernelMs: sig(total),
      convolutionsShare: sig(convShare, 2),
      byKind: kinds.sort((a, b) => b.ms - a.ms),
      topKernels: kernels.sort((a, b) => b.ms - a.ms).slice(0, 14),
      loadDuringRounds: rs.map((r) => r.load),
    };
  };
  tensor.dispose();
  net.dispose();
  const cpus = os.cpus();
  console.log(
    JSON.stringify(
      {
        benchmark: 'training step profile (tfjs-wasm, Node, one thread)',
        machine: { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, node: process.version, tfjs: tf.version.tfjs },
        loadAverage: { start: loadStart, end: os.loadavg().map((v) => sig(v)) },
        case: { config: CONFIG, tile: TILE, batch: 1, optimizer: 'adam', augmentation: 'default', weights: 'border weight map' },
        rounds,
        stepsPerMeasurement: steps,
        samplerMsPerTile: sig(samplerMs),
        variants: { stock: report('stock'), fast: report('fast') },
        wallSeconds: sig((performance.now() - started) / 1000),
      },
      null,
      2,
    ),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
