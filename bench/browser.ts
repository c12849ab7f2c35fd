/**
 * Browser benchmark (issues 3 and 4): for each tfjs backend the browser offers, forward ms per tile at three
 * tile sizes for two U-Net sizes, and ms per training step, measured inside the app's own model worker.
 * Drives the built app (`npm run build` first) in Chromium through Playwright; prints JSON.
 *
 *   npm run bench:browser                       all backends (webgpu is SwiftShader without a GPU: slow)
 *   npm run bench:browser -- --backends wasm,cpu
 *   CHROMIUM_PATH=/path/to/chrome npm run bench:browser -- --gpu   a real GPU (drops --enable-unsafe-webgpu's fallback)
 *   npm run bench:browser -- --backends wasm --threads 1,2,all --rounds 3
 *       WASM thread counts (`?threads=N`; all = this machine's cores), interleaved: each round runs every
 *       count once in a fresh page; the load average is recorded with each run
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import { chromium } from '@playwright/test';
import type { UnetConfig } from '../src/model/types';

type Backend = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

interface BenchResult {
  readonly backend: string;
  readonly forward: readonly { tile: number; outTile: number; msPerTile: number; mpxPerS: number; peakBytes: number }[];
  readonly training: { tile: number; steps: number; msPerStep: number } | null;
}

interface WorkerHandle {
  call(type: 'benchmarkModel', params: unknown): Promise<BenchResult>;
}

const models: { name: string; config: UnetConfig; tiles: number[] }[] = [
  { name: 'small (depth 3, 8 filters)', config: { depth: 3, baseFilters: 8, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 1 }, tiles: [124, 252, 508] },
  { name: 'medium (depth 4, 16 filters)', config: { depth: 4, baseFilters: 16, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 1 }, tiles: [252, 380, 572] },
];

/** Steps per backend: the pure-JS CPU backend takes tens of seconds per step, so it gets one. */
const trainSteps: Record<Backend, number> = { webgpu: 2, webgl: 2, wasm: 5, cpu: 1 };

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const chromiumPath = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/google-chrome'].find(existsSync);
const quiet = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const backends = (arg('backends') ?? 'webgpu,webgl,wasm,cpu').split(',') as Backend[];
/** WASM thread counts to compare ('' = the app's default); only with the wasm backend. */
const threadCounts = [...new Set((arg('threads') ?? '').split(',').map((t) => (t === 'all' ? String(os.availableParallelism()) : t)))];
const rounds = Number(arg('rounds') ?? 1);
const port = Number(arg('port') ?? 4175);

async function main(): Promise<void> {
  if (!existsSync('dist/index.html')) throw new Error('Build the app first: npm run build');
  const server = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 2500));
  const browser = await chromium.launch({ executablePath: chromiumPath, args: [...quiet, '--enable-unsafe-webgpu'] });
  const results: unknown[] = [];
  try {
    const runs = Array.from({ length: rounds }, (_, round) => backends.flatMap((b) => (b === 'wasm' ? threadCounts : ['']).map((threads) => ({ backend: b, threads, round })))).flat();
    for (const { backend, threads, round } of runs) {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${port}/?backend=${backend}&bench${threads ? `&threads=${threads}` : ''}`);
      await page.getByTestId('backend-status').and(page.locator('[data-status="ready"]')).waitFor({ timeout: 120_000 });
      const actual = await page.getByTestId('backend-name').textContent();
      const adapter = backend === 'webgpu' ? await page.getByTestId('backend-arch').textContent().catch(() => null) : null;
      const wasmThreads = backend === 'wasm' ? Number(await page.getByTestId('backend-threads').getAttribute('data-threads')) : null;
      for (const model of models) {
        // Larger tiles on the slow backends would take minutes each; the first tile size shows the trend.
        const tiles = backend === 'cpu' || backend === 'webgpu' ? model.tiles.slice(0, 2) : model.tiles;
        const steps = model === models[0] ? trainSteps[backend] : 0;
        const started = Date.now();
        const loadBefore = os.loadavg()[0];
        const result = await page.evaluate(
          ({ config, tiles, steps }) =>
            (window as unknown as { unetStudioWorker: WorkerHandle }).unetStudioWorker.call('benchmarkModel', {
              config,
              tileSizes: tiles,
              repeats: 2,
              trainTile: 188,
              trainSteps: steps,
            }),
          { config: model.config, tiles, steps },
        );
        results.push({ requested: backend, adapter, wasmThreads, round, load1: [loadBefore, os.loadavg()[0]], model: model.name, wallMs: Date.now() - started, ...result, shownBackend: actual });
        process.stderr.write(`${backend}${threads ? ` threads=${threads}` : ''} round ${round} ${model.name}: done in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
      }
      await page.close();
    }
  } finally {
    await browser.close();
    server.kill();
  }
  const byBackend = (name: string) => results.find((r) => (r as { backend: string; training: unknown }).backend === name && (r as { training: unknown }).training) as BenchResult | undefined;
  const wasm = byBackend('wasm')?.training?.msPerStep;
  const cpu = byBackend('cpu')?.training?.msPerStep;
  console.log(
    JSON.stringify(
      {
        machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), chromium: chromiumPath },
        results,
        trainingSpeedupWasmOverCpu: wasm && cpu ? cpu / wasm : null,
      },
      null,
      2,
    ),
  );
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
