/**
 * Training-step profile in the app's own model worker (issue 11: "training step within 2x of PyTorch CPU"):
 * the built app in headless Chromium, tfjs-wasm with 1 thread (`?threads=1`) and with threads as shipped,
 * the compare bench's case (depth 3, 16 filters, one 252 px tile, Adam, border weights, default
 * augmentation). Per round and page: ms/step over --steps steps after an untimed one, then one step under
 * `tf.profile`, its kernels grouped by kind (bench/profileKernels.ts). Pages interleaved round by round,
 * rotated; medians; load average recorded. Timings only here, never in tests. Prints JSON.
 *
 *   npm run build && npx tsx bench/trainProfileBrowser.ts [--rounds 3] [--steps 4] [--port 4179]
 */
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import { startBrowserRig } from './compareBrowser';
import type { TrainingRun } from './compareBrowser';
import { CONVOLUTION_KINDS, summariseKernels } from './profileKernels';

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sig = (v: number, digits = 3): number => Number(v.toPrecision(digits));

interface Sample {
  readonly run: TrainingRun;
  readonly load: number;
}

/** Kernel rows in the shape summariseKernels reads (a tf.profile KernelInfo). */
function asProfile(run: TrainingRun): Parameters<typeof summariseKernels>[0] {
  return run.kernels.map((k) => ({ name: k.name, inputShapes: k.inputShapes, outputShapes: [k.outShape], kernelTimeMs: k.ms })) as unknown as Parameters<typeof summariseKernels>[0];
}

function report(samples: readonly Sample[]): object {
  const summaries = samples.map((s) => summariseKernels(asProfile(s.run)));
  const keys = [...new Set(summaries.flatMap((s) => s.byKind.map((r) => r.key)))];
  const kernelMs = median(summaries.map((s) => s.totalMs));
  const byKind = keys
    .map((key) => {
      const rows = summaries.map((s) => s.byKind.find((r) => r.key === key));
      const ms = median(rows.map((r) => r?.ms ?? 0));
      const flops = rows.find((r) => r !== undefined)?.flops ?? 0;
      return { key, ms: sig(ms), share: sig(ms / kernelMs, 2), gflopPerS: flops > 0 ? sig(flops / ms / 1e6) : undefined };
    })
    .sort((a, b) => b.ms - a.ms);
  const names = [...new Set(samples.flatMap((s) => s.run.kernels.map((k) => k.name)))];
  const topKernels = names
    .map((name) => ({ name, ms: sig(median(samples.map((s) => s.run.kernels.filter((k) => k.name === name).reduce((n, k) => n + k.ms, 0)))) }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 16);
  const convMs = median(summaries.map((s) => s.byKind.filter((r) => CONVOLUTION_KINDS.includes(r.key)).reduce((n, r) => n + r.ms, 0)));
  return {
    threads: samples[0]?.run.threads ?? null,
    msPerStep: sig(median(samples.map((s) => s.run.msPerStep))),
    msPerStepRuns: samples.map((s) => sig(s.run.msPerStep)),
    profiledStepMs: sig(median(samples.map((s) => s.run.profiledStepMs ?? Number.NaN))),
    profiledKernelMs: sig(kernelMs),
    convolutionsMs: sig(convMs),
    byKind,
    topKernels,
    load: samples.map((s) => s.load),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string' }, steps: { type: 'string' }, port: { type: 'string' } } });
  const rounds = Number(values.rounds ?? 3);
  const steps = Number(values.steps ?? 4);
  const port = Number(values.port ?? 4179);
  if (![rounds, steps].every((v) => Number.isInteger(v) && v >= 1)) throw new Error('usage: bench/trainProfileBrowser.ts [--rounds 3] [--steps 4] [--port 4179]');
  const loadStart = os.loadavg().map((v) => sig(v));
  const specs = [
    { backend: 'wasm' as const, threads: 1, engines: [] },
    { backend: 'wasm' as const, engines: [] },
  ];
  const rig = await startBrowserRig(port, specs, [], []);
  const samples: Sample[][] = specs.map(() => []);
  try {
    // Warm-up of both pages (XNNPACK operators, kernel registration), not recorded.
    for (let p = 0; p < specs.length; p++) await rig.training(1, p, true);
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < specs.length; k++) {
        const p = (k + r) % specs.length;
        const before = os.loadavg()[0];
        const run = await rig.training(steps, p, true);
        samples[p].push({ run, load: sig((before + os.loadavg()[0]) / 2) });
        process.stderr.write(`round ${r} page ${p} (${run.threads} threads): ${run.msPerStep.toFixed(0)} ms/step\n`);
      }
    }
  } finally {
    await rig.close();
  }
  console.log(
    JSON.stringify(
      {
        benchmark: 'training step profile in the app worker (tfjs-wasm, Chromium)',
        chromium: rig.chromium,
        machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length },
        loadAverage: { start: loadStart, end: os.loadavg().map((v) => sig(v)) },
        rounds,
        stepsPerMeasurement: steps,
        pages: samples.map(report),
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
