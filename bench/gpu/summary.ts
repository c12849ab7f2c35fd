/**
 * The last step of bench/gpu/run.sh: OUT/webgpu.json and OUT/torch-MODEL.json side by side in OUT/gpu.json,
 * with ours / PyTorch-CUDA per model and image size, and a Markdown table on stdout for the README.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

interface WebGpuTiming {
  readonly model: string;
  readonly image: number;
  readonly msMedian: number;
  readonly tile?: { readonly inputSize: number; readonly outputSize: number; readonly batch: number; readonly tiles: number; readonly budgetBytes: number };
}

interface TorchReport {
  readonly gpu?: string;
  readonly torch?: string;
  readonly check?: { readonly maxAbsDiff: number };
  readonly timings?: readonly { readonly image: number; readonly inputSide: number; readonly msMedian: number }[];
}

const readJson = <T>(file: string): T | undefined => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined);

const out = process.argv[2] ?? 'bench/results/gpu';
const webgpu = readJson<{ timings?: WebGpuTiming[]; gpuInfo?: unknown; error?: string }>(path.join(out, 'webgpu.json'));
const rows = (webgpu?.timings ?? []).map((t) => {
  const torch = readJson<TorchReport>(path.join(out, `torch-${t.model}.json`));
  const ref = torch?.timings?.find((r) => r.image === t.image);
  return {
    model: t.model,
    image: t.image,
    webgpuMs: t.msMedian,
    tile: t.tile ? `${t.tile.inputSize}→${t.tile.outputSize} ×${t.tile.tiles}, batch ${t.tile.batch}` : null,
    torchMs: ref?.msMedian ?? null,
    torchInput: ref?.inputSide ?? null,
    torchCheck: torch?.check?.maxAbsDiff ?? null,
    ratio: ref ? t.msMedian / ref.msMedian : null,
  };
});
const report = {
  status: rows.length > 0 ? 'measured' : 'failed',
  gpu: existsSync(path.join(out, 'nvidia-smi.txt')) ? readFileSync(path.join(out, 'nvidia-smi.txt'), 'utf8').trim() : null,
  adapter: webgpu?.gpuInfo ?? null,
  webgpuError: webgpu?.error ?? null,
  rows,
};
writeFileSync(path.join(out, 'gpu.json'), JSON.stringify(report, null, 2) + '\n');
const fmt = (v: number | null, digits = 1) => (v === null ? '—' : v.toFixed(digits));
console.log('| model | image | WebGPU ms (app worker) | tile chosen | PyTorch-CUDA ms (one pass) | ours / PyTorch | torch vs ours max |Δ| |');
console.log('|---|---:|---:|---|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.model} | ${r.image}² | ${fmt(r.webgpuMs)} | ${r.tile ?? '—'} | ${fmt(r.torchMs)} | ${fmt(r.ratio, 2)} | ${r.torchCheck === null ? '—' : r.torchCheck.toExponential(1)} |`);
}
