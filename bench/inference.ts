/**
 * Inference benchmark (issue 3): for each backend available in Node (cpu, wasm) and two model sizes at
 * three tile sizes, ms per tile and Mpx/s (exact output pixels), tiling waste (input px computed per
 * output px on a 1024x1024 image), peak tensor memory of a forward pass against the estimate and the
 * default budget; then one whole-image segmentPlane run per backend and model for the pipeline overhead
 * (total time / tiles x pure forward time). Prints JSON. Timing goals live here, never in tests.
 *
 *   npx tsx bench/inference.ts            default run (< 3 min on 2 cores)
 *   npx tsx bench/inference.ts --quick    smaller tiles and images, one repetition (< 1 min)
 *   npx tsx bench/inference.ts --backends wasm
 *
 * The CPU backend (plain JS kernels) is ~30x slower than wasm, so it gets smaller tiles and images.
 */
import * as tf from '@tensorflow/tfjs';
import * as os from 'node:os';
import { initNodeBackend } from '../cli/backend';
import type { NodeBackendName } from '../cli/backend';
import { budgetFromLimits, estimateForwardBytes } from '../src/model/memoryBudget';
import { segmentPlane } from '../src/model/segment';
import { planTiles } from '../src/model/tiling';
import type { Segmenter, UnetConfig } from '../src/model/types';
import { createUnet } from '../src/model/unet';
import { tileOutputSize } from '../src/model/validSize';

interface ModelSpec {
  readonly name: string;
  readonly config: UnetConfig;
}

interface BackendPlan {
  /** Tile input sides per model name. */
  readonly tiles: Record<string, readonly number[]>;
  /** Side of the square image segmented for the pipeline measurement, per model name. */
  readonly image: Record<string, number>;
  readonly reps: number;
  readonly warmup: boolean;
}

const MODELS: readonly ModelSpec[] = [
  { name: 'small (depth 3, 8 filters)', config: { depth: 3, baseFilters: 8, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 1 } },
  { name: 'medium (depth 4, 16 filters)', config: { depth: 4, baseFilters: 16, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 1 } },
];

function plans(quick: boolean): Record<NodeBackendName, BackendPlan> {
  const [small, medium] = MODELS.map((m) => m.name);
  if (quick) {
    const q: BackendPlan = { tiles: { [small]: [100, 124, 156], [medium]: [204, 220, 236] }, image: { [small]: 64, [medium]: 32 }, reps: 1, warmup: false };
    return { cpu: q, wasm: { ...q, warmup: true } };
  }
  return {
    // Legal sizes: depth 3 = 92 + 8k, depth 4 = 188 + 16k. 572 is the paper's tile (388 px output).
    wasm: { tiles: { [small]: [124, 252, 508], [medium]: [252, 380, 572] }, image: { [small]: 512, [medium]: 512 }, reps: 3, warmup: true },
    // No warm-up on cpu: its kernels compile nothing, and one 252 px medium tile takes ~10 s here.
    cpu: { tiles: { [small]: [124, 188, 252], [medium]: [204, 236, 252] }, image: { [small]: 128, [medium]: 64 }, reps: 1, warmup: false },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** One forward pass with read-back, timed, and its peak tensor bytes. */
async function timedForward(segmenter: Segmenter, x: tf.Tensor4D): Promise<{ ms: number; peakBytes: number }> {
  let ms = 0;
  const profile = await tf.profile(async () => {
    const t0 = performance.now();
    const y = segmenter.predictTile(x);
    await y.data();
    ms = performance.now() - t0;
    y.dispose();
  });
  return { ms, peakBytes: profile.peakBytes };
}

function randomPlane(side: number): { width: number; height: number; data: Float32Array } {
  let s = 12345;
  const data = Float32Array.from({ length: side * side }, () => ((s = (s * 16807) % 2147483647) / 2147483647));
  return { width: side, height: side, data };
}

const round = (v: number, digits = 2): number => Number(v.toFixed(digits));
/** Three significant digits (rates span orders of magnitude across backends). */
const sig = (v: number): number => Number(v.toPrecision(3));

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const bi = args.indexOf('--backends');
  const backends = (bi >= 0 ? args[bi + 1] ?? '' : 'wasm,cpu').split(',').filter(Boolean) as NodeBackendName[];
  for (const b of backends) if (b !== 'cpu' && b !== 'wasm') throw new Error(`unknown backend '${b}' (use cpu, wasm)`);
  const started = performance.now();
  const tiles: Record<string, unknown>[] = [];
  const pipelines: Record<string, unknown>[] = [];

  for (const backend of backends) {
    await initNodeBackend(backend);
    const plan = plans(quick)[backend];
    const budget = budgetFromLimits({ backend });
    for (const spec of MODELS) {
      const segmenter = createUnet(spec.config);
      let largest = 0;
      for (const n of plan.tiles[spec.name]) {
        const x = tf.randomNormal([1, n, n, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
        if (plan.warmup) await timedForward(segmenter, x);
        const runs: { ms: number; peakBytes: number }[] = [];
        for (let r = 0; r < plan.reps; r++) runs.push(await timedForward(segmenter, x));
        x.dispose();
        const msPerTile = median(runs.map((r) => r.ms));
        const out = tileOutputSize(spec.config, n);
        const estimate = estimateForwardBytes(spec.config, n, n);
        const peakBytes = Math.max(...runs.map((r) => r.peakBytes));
        tiles.push({
          backend,
          model: spec.name,
          parameters: segmenter.model.countParams(),
          tileInput: n,
          tileOutput: out,
          msPerTile: round(msPerTile, 1),
          outputMpxPerS: sig((out * out) / msPerTile / 1000),
          waste1024: round(planTiles(spec.config, 1024, 1024, out).waste),
          peakMiB: round(peakBytes / 2 ** 20),
          estimateMiB: round(estimate.peakBytes / 2 ** 20),
          estimateOverPeak: round(estimate.peakBytes / peakBytes, 3),
          budgetMiB: round(budget.budgetBytes / 2 ** 20),
          reps: plan.reps,
        });
        largest = Math.max(largest, n);
      }
      // Pipeline overhead: a whole image through segmentPlane with the largest tile, batch 1 (median of reps).
      const side = plan.image[spec.name];
      const image = randomPlane(side);
      const options = { tileOutput: tileOutputSize(spec.config, largest), batch: 1, budgetBytes: budget.budgetBytes };
      // Warm run first where the backend compiles per shape (the plan may pick a new tile shape).
      if (plan.warmup) await segmentPlane(segmenter, image, options);
      const totals: number[] = [];
      let result = await segmentPlane(segmenter, image, options);
      totals.push(result.timing.totalMs);
      for (let r = 1; r < plan.reps; r++) {
        result = await segmentPlane(segmenter, image, options);
        totals.push(result.timing.totalMs);
      }
      // Pure forward time of the plan's own tile shape (the plan may shrink the tile to fit the image).
      const xt = tf.randomNormal([1, result.tile.inputHeight, result.tile.inputWidth, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
      const pureRuns: number[] = [];
      for (let r = 0; r < plan.reps; r++) pureRuns.push((await timedForward(segmenter, xt)).ms);
      xt.dispose();
      const pure = result.tile.tiles * median(pureRuns);
      pipelines.push({
        backend,
        model: spec.name,
        image: `${side}x${side}`,
        tileInput: `${result.tile.inputHeight}x${result.tile.inputWidth}`,
        tiles: result.tile.tiles,
        waste: round(result.waste),
        totalMs: round(median(totals), 1),
        pureForwardMs: round(pure, 1),
        overhead: round(median(totals) / pure, 3),
      });
      segmenter.dispose();
    }
  }

  const cpus = os.cpus();
  console.log(
    JSON.stringify(
      {
        benchmark: 'inference',
        quick,
        machine: { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memGiB: round(os.totalmem() / 2 ** 30, 1), gpu: 'none (Node: cpu and wasm backends)', node: process.version },
        tfjs: tf.version.tfjs,
        tiles,
        pipelines,
        wallSeconds: round((performance.now() - started) / 1000, 1),
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
