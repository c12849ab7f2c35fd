/**
 * Runtimes side by side (issue 11 item 4, Node-side candidates): one 1024x1024 EM image (a 2x2 mosaic of
 * ISBI 2012 slices 0-3, each normalised with the model card's normalisation), the shipped em-membranes
 * model, the same weights and the same overlap-tile plan in every runtime:
 *
 *   - tfjs-wasm: our CLI path, segmentPlane on tfjs-backend-wasm in Node (XNNPACK, one thread: the wasm
 *     backend has no threads in Node);
 *   - onnxruntime-node with 1, 2, ... intra-op threads, running our ONNX export (cli/engine.ts).
 *
 * Runs are interleaved (every round runs every candidate, in a rotated order) and reported as medians;
 * the load average is recorded around each run, since the machine may be shared. GFLOP/s counts the
 * plan's FLOPs (src/model/flops.ts, margins and tile overlap included) over the median time; the sgemm
 * ceiling is a 1024^3 MatMul in onnxruntime at the same thread count, measured in the same run. Prints JSON; never pass/fail.
 *
 *   npx tsx bench/compare.ts                     3 rounds, threads 1,2 (+ all cores when more)
 *   npx tsx bench/compare.ts --rounds 5 --threads 1,2,4 --side 512
 *
 * The browser candidates (app worker, onnxruntime-web WASM/WebGPU) are still to come.
 */
import * as tf from '@tensorflow/tfjs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { initNodeBackend } from '../cli/backend';
import { readRaster } from '../cli/dataset';
import { createEngine } from '../cli/engine';
import type { Engine } from '../cli/engine';
import { prepareInput } from '../src/image/normalize';
import type { FloatPlane } from '../src/image/types';
import { flopsForImage } from '../src/model/flops';
import { budgetFromLimits, chooseTile } from '../src/model/memoryBudget';
import { encodeOnnxModel } from '../src/model/onnx/onnxProto';
import { planShape } from '../src/model/tiling';

const root = path.resolve(import.meta.dirname, '..');
const MODEL_DIR = path.join(root, 'public/models/em-membranes');
const ISBI = path.resolve(root, '../shared/data/isbi2012-em/images');

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sig = (v: number, digits = 3): number => Number(v.toPrecision(digits));
const load = (): number => sig(os.loadavg()[0]);

/** side x side mosaic of normalised ISBI slices 0, 1, 2, ... (512 px each), row by row. */
function emMosaic(side: number, normalize: (file: string) => FloatPlane): FloatPlane {
  const data = new Float32Array(side * side);
  const n = Math.ceil(side / 512);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const slice = normalize(path.join(ISBI, `${(r * n + c) % 25}.png`));
      for (let y = 0; y < 512 && r * 512 + y < side; y++) {
        const w = Math.min(512, side - c * 512);
        data.set(slice.data.subarray(y * slice.width, y * slice.width + w), (r * 512 + y) * side + c * 512);
      }
    }
  }
  return { width: side, height: side, data };
}

/**
 * GFLOP/s of a 1024^3 float32 MatMul in onnxruntime (MLAS sgemm), best of 10 after a warm-up: a ceiling
 * is what the cores reach when nothing else runs, so the fastest run estimates it best on a shared machine.
 */
async function sgemmCeiling(threads: number): Promise<number> {
  const n = 1024;
  const bytes = encodeOnnxModel({
    irVersion: 7,
    opsetVersion: 13,
    producerName: 'U-Net Studio bench',
    producerVersion: '0',
    graph: {
      name: 'sgemm',
      nodes: [{ opType: 'MatMul', name: 'matmul', inputs: ['a', 'b'], outputs: ['c'] }],
      initializers: [],
      inputs: [{ name: 'a', shape: [n, n] }, { name: 'b', shape: [n, n] }],
      outputs: [{ name: 'c', shape: [n, n] }],
    },
  });
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1 });
  const a = new ort.Tensor('float32', Float32Array.from({ length: n * n }, (_, i) => (i % 13) / 13), [n, n]);
  const times: number[] = [];
  for (let r = 0; r < 11; r++) {
    const t0 = performance.now();
    await session.run({ a, b: a });
    if (r > 0) times.push(performance.now() - t0);
  }
  await session.release();
  return (2 * n ** 3) / (Math.min(...times) / 1000) / 1e9;
}

interface Candidate {
  readonly name: string;
  readonly runtime: string;
  readonly threads: number;
  readonly engine: Engine;
  readonly seconds: number[];
  readonly loads: number[];
  warmupSeconds?: number;
  probabilities?: Float32Array;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string' }, threads: { type: 'string' }, side: { type: 'string' } } });
  const rounds = Number(values.rounds ?? 3);
  const side = Number(values.side ?? 1024);
  const cores = os.availableParallelism();
  const threadCounts = values.threads ? values.threads.split(',').map(Number) : [...new Set([1, 2, cores])];
  if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(side) || side < 1 || threadCounts.some((t) => !Number.isInteger(t) || t < 1)) {
    throw new Error('usage: bench/compare.ts [--rounds N] [--threads 1,2] [--side 1024]');
  }
  const started = performance.now();
  const uptimeStart = os.loadavg().map((v) => sig(v));
  await initNodeBackend('wasm');

  const candidates: Candidate[] = [];
  const tfjsEngine = await createEngine('tfjs', MODEL_DIR);
  const card = tfjsEngine.card;
  candidates.push({ name: 'tfjs-wasm segmentPlane (Node)', runtime: `tfjs ${tf.version.tfjs} wasm`, threads: 1, engine: tfjsEngine, seconds: [], loads: [] });
  for (const threads of threadCounts) {
    const engine = await createEngine('onnx', MODEL_DIR, { threads });
    candidates.push({ name: `onnxruntime-node, ${threads} thread${threads > 1 ? 's' : ''}`, runtime: engine.description, threads, engine, seconds: [], loads: [] });
  }

  const image = emMosaic(side, (file) => prepareInput(readRaster(file), card.normalization));
  const config = card.architecture;
  const budget = budgetFromLimits({ backend: 'wasm' });
  // One tile choice for all: what segmentPlane picks under the wasm/CPU default budget.
  const { tileOutput, batch } = chooseTile({ config, budgetBytes: budget.budgetBytes, maxBindingBytes: budget.maxBindingBytes, imageSize: { height: side, width: side } });
  const plan = planShape(config, side, side, tileOutput);
  const gflop = flopsForImage(config, side, side, tileOutput) / 1e9;
  const options = { foregroundClass: card.foregroundClass, tileOutput, batch };

  const timed = async (c: Candidate): Promise<{ s: number; probabilities: Float32Array }> => {
    const t0 = performance.now();
    const { probabilities } = await c.engine.segment(image, options);
    return { s: (performance.now() - t0) / 1000, probabilities };
  };
  for (const c of candidates) {
    const w = await timed(c);
    c.warmupSeconds = sig(w.s);
    c.probabilities = w.probabilities;
  }
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < candidates.length; k++) {
      const c = candidates[(k + r) % candidates.length];
      const before = load();
      c.seconds.push((await timed(c)).s);
      c.loads.push(sig((before + load()) / 2));
    }
  }
  const ceilings = new Map<number, number>();
  for (const t of new Set(candidates.map((c) => c.threads))) ceilings.set(t, await sgemmCeiling(t));

  const reference = candidates[0].probabilities as Float32Array;
  const rows = candidates.map((c) => {
    const s = median(c.seconds);
    const rate = gflop / s;
    const ceiling = ceilings.get(c.threads) as number;
    let diff = 0;
    (c.probabilities as Float32Array).forEach((v, i) => (diff = Math.max(diff, Math.abs(v - reference[i]))));
    return {
      candidate: c.name,
      runtime: c.runtime,
      threads: c.threads,
      secondsPerImage: sig(s),
      fastestSeconds: sig(Math.min(...c.seconds)),
      runs: c.seconds.map((v) => sig(v)),
      warmupSeconds: c.warmupSeconds,
      gflopPerS: sig(rate),
      sgemmCeilingGflopPerS: sig(ceiling),
      shareOfCeiling: sig(rate / ceiling, 2),
      maxAbsDiffVsTfjs: sig(diff, 2),
      loadDuringRuns: c.loads,
    };
  });
  await Promise.all(candidates.map((c) => c.engine.dispose()));
  const cpus = os.cpus();
  console.log(
    JSON.stringify(
      {
        benchmark: 'compare (Node-side runtimes)',
        machine: { cpu: cpus[0]?.model ?? 'unknown', cores, memGiB: sig(os.totalmem() / 2 ** 30), node: process.version, onnxruntime: ort.env.versions.common },
        loadAverage: { start: uptimeStart, end: os.loadavg().map((v) => sig(v)) },
        image: `${side}x${side} mosaic of ISBI 2012 slices, normalised (${JSON.stringify(card.normalization)})`,
        model: card.name,
        plan: { tileInput: `${plan.inputHeight}x${plan.inputWidth}`, tileOutput, tiles: plan.rows * plan.cols, batch },
        gflopPerImage: sig(gflop, 4),
        rounds,
        results: rows,
        wallSeconds: sig((performance.now() - started) / 1000),
      },
      null,
      2,
    ),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
