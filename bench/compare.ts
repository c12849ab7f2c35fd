/**
 * Runtimes side by side (issue 11 item 4), one command, never pass/fail:
 *
 *   npm run build && npm run bench:compare            (what the README table is made from)
 *   npm run bench:compare -- --quick                  one round, 512² nuclei only: checks the rig in minutes
 *   npm run bench:compare -- --rounds 5 --sides 512,1024 --models em-membranes,nuclei --webgpu --port 4217
 *
 * Images: EM, side x side mosaics of ISBI 2012 slices 0, 1, ... (raw for the app, which normalises itself;
 * normalised with the model card for the Node runtimes — the same numbers). Models: the shipped ones, the
 * same weights everywhere (tfjs model files; their ONNX export by our writer). One plan per case for all:
 * the tile chooseTile picks under the wasm/CPU default budget, passed to every runtime.
 *
 * Candidates (bench/compareNode.ts, bench/compareBrowser.ts):
 *   - our app path: the built app in headless Chromium, tfjs-wasm in its model worker, threads as shipped
 *     (one per core) and `?threads=1`; onnxruntime-web WASM EP in the same worker with the same threads
 *     (the app's `ort-wasm` engine); with --webgpu also tfjs-webgpu vs onnxruntime-web WebGPU on 512² only
 *     (SwiftShader without a GPU: those numbers say little);
 *   - our CLI path: `--engine tfjs` (tfjs-wasm segmentPlane, one thread) and `--engine onnx`
 *     (onnxruntime-node, `--node-threads`, default 1,2);
 *   - onnxruntime-web WASM in Node (the same thread counts, one worker thread each).
 * Every round runs every candidate on every case once, in a rotated order; medians are reported with the
 * load average around each run (the machine may be shared). GFLOP/s counts the plan's FLOPs
 * (src/model/flops.ts) over the median; the sgemm ceiling is a 1024^3 MatMul in onnxruntime-node at the
 * candidate's thread count, best of 10, measured in the same run. Training: ms per tfjs step (depth 3, 16
 * filters, one 252 px tile, Adam) in Node (tfjs-wasm) and in the app's worker.
 * Writes bench/results/compare-<time>.json and prints a table.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { initNodeBackend } from '../cli/backend';
import { readRaster } from '../cli/dataset';
import { normalizePlane, toSingleChannel } from '../src/image/normalize';
import type { FloatPlane } from '../src/image/types';
import { flopsForImage } from '../src/model/flops';
import { budgetFromLimits, chooseTile } from '../src/model/memoryBudget';
import { planShape } from '../src/model/tiling';
import { startBrowserRig, type BrowserPageSpec, type BrowserRig } from './compareBrowser';
import { loadBenchModel, ortNodeCandidate, ortWebNodeCandidate, sgemmCeiling, tfjsNodeCandidate, trainingMsPerStep, type BenchModel, type Candidate, type CaseImage } from './compareNode';

const root = path.resolve(import.meta.dirname, '..');
const ISBI = path.resolve(root, '../shared/data/isbi2012-em/images');

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sig = (v: number, digits = 3): number => Number(v.toPrecision(digits));
const load1 = (): number => sig(os.loadavg()[0]);
const log = (line: string) => process.stderr.write(`${line}\n`);

/** side x side mosaic of raw ISBI slices 0, 1, 2, ... (512 px each), row by row. */
function emMosaic(side: number): FloatPlane {
  const data = new Float32Array(side * side);
  const n = Math.ceil(side / 512);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const slice = toSingleChannel(readRaster(path.join(ISBI, `${(r * n + c) % 25}.png`)), 'mean');
      for (let y = 0; y < 512 && r * 512 + y < side; y++) {
        const w = Math.min(512, side - c * 512);
        data.set(slice.data.subarray(y * slice.width, y * slice.width + w), (r * 512 + y) * side + c * 512);
      }
    }
  }
  return { width: side, height: side, data };
}

interface Case extends CaseImage {
  readonly side: number;
  readonly gflop: number;
  readonly tileInput: string;
  readonly tiles: number;
}

function makeCase(model: BenchModel, side: number, raw: FloatPlane): Case {
  const config = model.card.architecture;
  const budget = budgetFromLimits({ backend: 'wasm' });
  const { tileOutput, batch } = chooseTile({ config, budgetBytes: budget.budgetBytes, maxBindingBytes: budget.maxBindingBytes, imageSize: { height: side, width: side } });
  const plan = planShape(config, side, side, tileOutput);
  return {
    key: `${model.name}-${side}`,
    model: model.name,
    side,
    raw,
    normalised: normalizePlane(raw, model.card.normalization),
    tileOutput,
    batch,
    budgetBytes: budget.budgetBytes,
    gflop: flopsForImage(config, side, side, tileOutput) / 1e9,
    tileInput: `${plan.inputHeight}x${plan.inputWidth}`,
    tiles: plan.rows * plan.cols,
  };
}

interface Record_ {
  readonly seconds: number[];
  readonly loads: number[];
  warmup?: number;
  probabilities?: Float32Array;
  error?: string;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string' },
      sides: { type: 'string' },
      models: { type: 'string' },
      port: { type: 'string' },
      webgpu: { type: 'boolean' },
      quick: { type: 'boolean' },
      'no-browser': { type: 'boolean' },
      'train-steps': { type: 'string' },
      'node-threads': { type: 'string' },
    },
  });
  const quick = values.quick ?? false;
  const rounds = Number(values.rounds ?? (quick ? 1 : 3));
  const sides = (values.sides ?? (quick ? '512' : '512,1024')).split(',').map(Number);
  const modelNames = (values.models ?? (quick ? 'nuclei' : 'em-membranes,nuclei')).split(',');
  const port = Number(values.port ?? 4217);
  const trainSteps = Number(values['train-steps'] ?? (quick ? 2 : 5));
  const nodeThreads = (values['node-threads'] ?? '1,2').split(',').map(Number);
  if (nodeThreads.some((t) => !Number.isInteger(t) || t < 1) || !Number.isInteger(rounds) || rounds < 1 || sides.some((s) => !Number.isInteger(s) || s < 64)) throw new Error('usage: bench/compare.ts [--quick] [--rounds N] [--sides 512,1024] [--models a,b] [--webgpu] [--port 4217] [--no-browser]');
  const started = performance.now();
  const loadStart = os.loadavg().map((v) => sig(v));
  await initNodeBackend('wasm');

  const models = await Promise.all(modelNames.map((name) => loadBenchModel(path.join(root, 'public/models', name))));
  const cases: Case[] = [];
  for (const side of sides) {
    const raw = emMosaic(side);
    for (const m of models) cases.push(makeCase(m, side, raw));
  }

  const candidates: Candidate[] = [await tfjsNodeCandidate(models, tf.version.tfjs)];
  for (const t of nodeThreads) candidates.push(await ortNodeCandidate(models, t));
  for (const t of nodeThreads) candidates.push(await ortWebNodeCandidate(models, t));
  let rig: BrowserRig | null = null;
  if (!values['no-browser']) {
    const specs: BrowserPageSpec[] = [
      { backend: 'wasm', engines: ['tfjs', 'ort-wasm'] },
      { backend: 'wasm', threads: 1, engines: ['tfjs', 'ort-wasm'] },
      ...(os.availableParallelism() !== 2 ? [{ backend: 'wasm', threads: 2, engines: ['tfjs', 'ort-wasm'] } as const] : []),
      ...(values.webgpu ? [{ backend: 'webgpu', engines: ['tfjs', 'ort-webgpu'], only: (i: CaseImage) => i.normalised.width <= 512 } as const] : []),
    ];
    rig = await startBrowserRig(port, specs, modelNames, cases);
    candidates.push(...rig.candidates);
  }

  const records = new Map<string, Record_>();
  const rec = (c: Candidate, k: Case) => {
    const key = `${c.name}|${k.key}`;
    if (!records.has(key)) records.set(key, { seconds: [], loads: [] });
    return records.get(key) as Record_;
  };
  const timed = async (c: Candidate, k: Case) => {
    const t0 = performance.now();
    const out = await c.segment(k);
    return { s: out.seconds ?? (performance.now() - t0) / 1000, probabilities: out.probabilities };
  };
  // One warm-up per candidate and model (sessions, JIT, XNNPACK operators); a failing candidate is skipped.
  const warmed = new Set<string>();
  for (const k of cases) {
    for (const c of candidates) {
      if ((c.only && !c.only(k)) || warmed.has(`${c.name}|${k.model}`)) continue;
      warmed.add(`${c.name}|${k.model}`);
      const r = rec(c, k);
      try {
        r.warmup = sig((await timed(c, k)).s);
        log(`warm-up ${k.key} ${c.name}: ${r.warmup} s`);
      } catch (error) {
        for (const other of cases.filter((o) => o.model === k.model)) rec(c, other).error = error instanceof Error ? error.message : String(error);
        log(`warm-up ${k.key} ${c.name}: ${r.error}`);
      }
    }
  }
  for (let round = 0; round < rounds; round++) {
    for (const k of cases) {
      for (let j = 0; j < candidates.length; j++) {
        const c = candidates[(j + round) % candidates.length];
        const r = rec(c, k);
        if ((c.only && !c.only(k)) || r.error) continue;
        const before = load1();
        const run = await timed(c, k);
        r.seconds.push(run.s);
        r.probabilities ??= run.probabilities;
        r.loads.push(sig((before + load1()) / 2));
        log(`round ${round + 1} ${k.key} ${c.name}: ${sig(r.seconds.at(-1) as number)} s (load ${r.loads.at(-1)})`);
      }
    }
  }

  const ceilings = new Map<number, number>();
  for (const t of [1, 2]) ceilings.set(t, sig(await sgemmCeiling(t)));
  // The runtimes' thread pools go first, so nothing of theirs runs beside the training steps.
  for (const c of candidates) await c.dispose();
  const training = {
    config: 'depth 3, 16 filters, one 252 px tile, Adam (tfjs)',
    nodeWasmMsPerStep: sig(await trainingMsPerStep(trainSteps)),
    browserAppMsPerStep: rig ? sig(await rig.trainingMsPerStep(trainSteps)) : null,
    steps: trainSteps,
  };

  const results = cases.flatMap((k) => {
    const reference = rec(candidates[0], k).probabilities;
    return candidates
      .filter((c) => !c.only || c.only(k))
      .map((c) => {
        const r = rec(c, k);
        if (r.error || r.seconds.length === 0) return { case: k.key, candidate: c.name, where: c.where, threads: c.threads, error: r.error ?? 'no runs' };
        const s = median(r.seconds);
        const ceiling = ceilings.get(Math.max(1, Math.min(2, c.threads))) as number;
        let diff = 0;
        if (reference && r.probabilities) r.probabilities.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - reference[i]))));
        return {
          case: k.key,
          candidate: c.name,
          where: c.where,
          runtime: c.runtime,
          threads: c.threads,
          secondsPerImage: sig(s),
          fastestSeconds: sig(Math.min(...r.seconds)),
          runs: r.seconds.map((v) => sig(v)),
          warmupSeconds: r.warmup,
          gflopPerS: sig(k.gflop / s),
          sgemmCeilingGflopPerS: ceiling,
          shareOfCeiling: sig(k.gflop / s / ceiling, 2),
          maxAbsDiffVsCliTfjs: sig(diff, 2),
          loadDuringRuns: r.loads,
        };
      });
  });
  await rig?.close();

  const cpus = os.cpus();
  const report = {
    benchmark: 'compare (issue 11 item 4)',
    date: new Date().toISOString(),
    machine: { cpu: cpus[0]?.model ?? 'unknown', cores: os.availableParallelism(), memGiB: sig(os.totalmem() / 2 ** 30), node: process.version, chromium: rig?.chromium ?? null },
    loadAverage: { start: loadStart, end: os.loadavg().map((v) => sig(v)) },
    sgemmCeiling: 'best of 10 1024^3 float32 MatMul in onnxruntime-node (MLAS), GFLOP/s per thread count',
    ceilings: Object.fromEntries(ceilings),
    cases: cases.map((k) => ({ case: k.key, model: k.model, image: `${k.side}x${k.side} EM mosaic (ISBI 2012 slices)`, tileInput: k.tileInput, tileOutput: k.tileOutput, tiles: k.tiles, gflop: sig(k.gflop, 4) })),
    rounds,
    results,
    training,
    wallSeconds: sig((performance.now() - started) / 1000),
  };
  const dir = path.join(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `compare-${report.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`| case | runtime | threads | s/image (median) | GFLOP/s | share of sgemm ceiling | max \\|Δ\\| vs CLI tfjs | load |`);
  console.log('|---|---|---:|---:|---:|---:|---:|---|');
  for (const r of results) {
    if ('error' in r) console.log(`| ${r.case} | ${r.candidate} | ${r.threads} | — (${r.error}) | | | | |`);
    else console.log(`| ${r.case} | ${r.candidate} | ${r.threads} | ${r.secondsPerImage} | ${r.gflopPerS} | ${Math.round(r.shareOfCeiling * 100)}% | ${r.maxAbsDiffVsCliTfjs} | ${Math.min(...r.loadDuringRuns)}-${Math.max(...r.loadDuringRuns)} |`);
  }
  console.log(`\nsgemm ceiling (GFLOP/s): ${JSON.stringify(report.ceilings)}; training ms/step: Node tfjs-wasm ${training.nodeWasmMsPerStep}, app worker ${training.browserAppMsPerStep}; load ${loadStart.join(' ')} -> ${report.loadAverage.end.join(' ')}; ${report.wallSeconds} s; ${path.relative(root, file)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
