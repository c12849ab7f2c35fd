/**
 * All cores in Node: `segment --workers W` with T onnxruntime threads per worker (or the tfjs engine),
 * whole command wall time over one folder, variants interleaved round by round, medians, the load average
 * recorded with every run. Prints JSON.
 *
 *   npx tsx bench/workers.ts --in DIR --model public/models/em-membranes [--rounds 3] [--variants onnx:1x2,onnx:2x1,tfjs:1x1,tfjs:2x1]
 *   (onnx:WxT = W workers x T intra-op threads each; tfjs:Wx1 = W workers, one WASM thread each)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const inDir = arg('in', '');
const model = arg('model', 'public/models/em-membranes');
const rounds = Number(arg('rounds', '3'));
const variants = arg('variants', 'onnx:1x2,onnx:2x1').split(',');
if (!inDir) throw new Error('usage: tsx bench/workers.ts --in DIR [--model M] [--rounds 3] [--variants onnx:1x2,onnx:2x1]');

const runs: { variant: string; round: number; seconds: number; load1: [number, number] }[] = [];
for (let round = 0; round < rounds; round++) {
  for (const variant of variants) {
    const [engine, shape] = variant.split(':');
    const [workers, threads] = shape.split('x').map(Number);
    const out = mkdtempSync(path.join(os.tmpdir(), 'bench-workers-'));
    const load = os.loadavg()[0];
    const t0 = performance.now();
    execFileSync('node_modules/.bin/tsx', ['cli/segment.ts', '--model', model, '--in', inDir, '--out', out, '--engine', engine, '--workers', String(workers), '--threads', String(threads)], {
      stdio: 'ignore',
    });
    runs.push({ variant, round, seconds: (performance.now() - t0) / 1000, load1: [load, os.loadavg()[0]] });
    rmSync(out, { recursive: true, force: true });
    process.stderr.write(`${variant} round ${round}: ${runs[runs.length - 1].seconds.toFixed(1)} s (load ${load.toFixed(1)})\n`);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = Object.fromEntries(variants.map((v) => [v, median(runs.filter((r) => r.variant === v).map((r) => r.seconds))]));
console.log(JSON.stringify({ machine: { cpus: os.availableParallelism(), cpuModel: os.cpus()[0]?.model }, inDir, model, medianSeconds: summary, runs }, null, 2));
