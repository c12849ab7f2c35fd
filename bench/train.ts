/**
 * Training-speed benchmark (issue 4): steps/s of a small U-Net on a ~256x256 tile in Node, on the pure-JS
 * CPU backend versus WASM with our gradient kernels (src/model/wasmKernels.ts). Target: >= 20x.
 * One step = tile sampling + augmentation + forward + backward + Adam update (trainSegmenter).
 * Prints JSON. Timing goals live here, never in tests.
 *
 *   npm run bench:train                  depth 3 / 16 filters, 252 px tile, 2 CPU steps (~5 min on CPU)
 *   npm run bench:train -- --quick       depth 3 / 8 filters, 124 px tile (< 1 min)
 *   npm run bench:train -- --backends wasm --wasm-steps 20
 *
 * The first step of each run is set-up (optimizer slots, XNNPACK operator creation) and is not timed.
 */
import * as tf from '@tensorflow/tfjs';
import * as os from 'node:os';
import { pathToFileURL } from 'node:url';
import { numberFlag, optionalString, parseFlags, runMain, UsageError } from '../cli/args';
import { initNodeBackend } from '../cli/backend';
import type { NodeBackendName } from '../cli/backend';
import { trainSegmenter } from '../src/model/train';
import type { UnetConfig } from '../src/model/types';
import { createUnet } from '../src/model/unet';
import { outputSize } from '../src/model/validSize';
import { syntheticSample } from '../src/model/syntheticDiscs';

const USAGE = 'usage: npm run bench:train -- [--quick] [--backends cpu,wasm] [--tile N] [--cpu-steps 2] [--wasm-steps 10]';


interface BackendResult {
  readonly steps: number;
  readonly msPerStep: number;
  readonly stepsPerSecond: number;
  readonly forwardMs: number;
}

async function measure(backend: NodeBackendName, config: UnetConfig, tile: number, steps: number): Promise<BackendResult> {
  await initNodeBackend(backend);
  const net = createUnet(config);
  const sample = syntheticSample(300);
  // steps + 1: trainSegmenter's msPerStep leaves out the first (set-up) step.
  const result = await trainSegmenter(net, [sample], { steps: steps + 1, tileSize: tile, seed: 1, learningRate: 1e-4 });
  const input = tf.randomUniform([1, tile, tile, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  net.predictTile(input).dispose();
  const t0 = performance.now();
  const out = net.predictTile(input);
  await out.data();
  const forwardMs = performance.now() - t0;
  tf.dispose([input, out]);
  net.dispose();
  return { steps, msPerStep: Math.round(result.msPerStep), stepsPerSecond: 1000 / result.msPerStep, forwardMs: Math.round(forwardMs) };
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), {
    quick: { type: 'boolean' },
    backends: { type: 'string' },
    tile: { type: 'string' },
    'cpu-steps': { type: 'string' },
    'wasm-steps': { type: 'string' },
  });
  const quick = flags.quick === true;
  const config: UnetConfig = { depth: 3, baseFilters: quick ? 8 : 16, inChannels: 1, classes: 2, dropout: 0.1, padding: 'valid', seed: 1 };
  const tile = numberFlag(flags, 'tile', quick ? 124 : 252, { integer: true, min: 1 });
  const backends = (optionalString(flags, 'backends') ?? 'cpu,wasm').split(',').map((b) => b.trim());
  for (const b of backends) if (b !== 'cpu' && b !== 'wasm') throw new UsageError(`unknown backend '${b}' (cpu, wasm)`);
  const steps: Record<NodeBackendName, number> = {
    cpu: numberFlag(flags, 'cpu-steps', quick ? 1 : 2, { integer: true, min: 1 }),
    wasm: numberFlag(flags, 'wasm-steps', quick ? 5 : 10, { integer: true, min: 1 }),
  };
  const results: Partial<Record<NodeBackendName, BackendResult>> = {};
  // WASM first: if the slow CPU run is interrupted, the fast numbers are already printed to stderr.
  for (const b of (['wasm', 'cpu'] as const).filter((name) => backends.includes(name))) {
    results[b] = await measure(b, config, tile, steps[b]);
    process.stderr.write(`${b}: ${JSON.stringify(results[b])}\n`);
  }
  const speedup = results.cpu && results.wasm ? results.cpu.msPerStep / results.wasm.msPerStep : undefined;
  const report = {
    benchmark: 'train-step',
    config,
    tile: { input: tile, output: outputSize(config, tile) },
    batch: 1,
    optimizer: 'adam',
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    results,
    wasmSpeedupOverCpu: speedup === undefined ? undefined : Math.round(speedup * 10) / 10,
    target: '>= 20x',
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) runMain(USAGE, main);
