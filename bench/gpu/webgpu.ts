/**
 * The WebGPU half of bench/gpu/run.sh: the built app in headless Chromium on the machine's GPU (Vulkan),
 * both shipped models segmenting a 512² and a 2048² image in the app's own model worker, the tile and
 * batch the memory budget chose, median ms of `repeats` runs after a warm-up. Writes OUT/webgpu.json.
 * Needs `dist/` (npm run build) and a Chromium (CHROMIUM_PATH, /usr/bin/chromium, google-chrome, or
 * Playwright's own); no network.
 *
 *   npx tsx bench/gpu/webgpu.ts OUT [--sizes 512,2048] [--repeats 3] [--port 4180]
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { chromium } from '@playwright/test';

interface WorkerHandle {
  call(type: string, params: unknown): Promise<unknown>;
}

interface Timing {
  readonly model: string;
  readonly image: number;
  readonly msMedian: number;
  readonly ms: readonly number[];
  readonly tile: unknown;
  readonly backend: string;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** Headless Chromium on the GPU through Vulkan (no display needed); the sandbox off for containers. */
export const GPU_FLAGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan,VulkanFromANGLE,DefaultANGLEVulkan',
  '--use-angle=vulkan',
  '--use-vulkan=native',
  '--disable-vulkan-surface',
  '--ignore-gpu-blocklist',
  '--enable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

function findChromium(): string | undefined {
  const bundled = (() => {
    try {
      return chromium.executablePath();
    } catch {
      return undefined;
    }
  })();
  return [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', bundled].find(
    (p): p is string => Boolean(p) && existsSync(p as string),
  );
}

async function waitForServer(url: string): Promise<void> {
  for (let tries = 0; tries < 120; tries++) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`vite preview did not answer at ${url}`);
}

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out || out.startsWith('--')) throw new Error('usage: tsx bench/gpu/webgpu.ts OUT [--sizes 512,2048] [--repeats 3]');
  const sizes = arg('sizes', '512,2048').split(',').map(Number);
  const repeats = Number(arg('repeats', '3'));
  const port = Number(arg('port', '4180'));
  const report: Record<string, unknown> = { sizes, repeats };
  const save = () => writeFileSync(path.join(out, 'webgpu.json'), JSON.stringify(report, null, 2) + '\n');
  const executablePath = findChromium();
  if (!existsSync('dist/index.html')) throw new Error('dist/ is missing: run npm run build first');
  if (!executablePath) {
    report.error = 'no Chromium found (set CHROMIUM_PATH); no WebGPU numbers';
    save();
    throw new Error(String(report.error));
  }
  report.chromium = executablePath;
  const server = spawn(path.resolve('node_modules/.bin/vite'), ['preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], { stdio: 'ignore' });
  try {
    await waitForServer(`http://127.0.0.1:${port}/`);
    const browser = await chromium.launch({ executablePath, headless: true, args: GPU_FLAGS });
    try {
      const page = await browser.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') process.stderr.write(`page: ${m.text()}\n`);
      });
      await page.goto(`http://127.0.0.1:${port}/?backend=webgpu&bench`);
      await page.getByTestId('backend-status').and(page.locator('[data-status="ready"]')).waitFor({ timeout: 120_000 });
      report.gpuInfo = await page.evaluate(async () => {
        const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
        const adapter = await gpu?.requestAdapter({ powerPreference: 'high-performance' });
        return adapter
          ? { vendor: adapter.info.vendor, architecture: adapter.info.architecture, description: adapter.info.description, fallback: adapter.info.isFallbackAdapter }
          : null;
      });
      report.backend = await page.getByTestId('backend-name').textContent();
      report.reason = await page.getByTestId('backend-status').getAttribute('title');
      save();
      if (report.backend !== 'webgpu') throw new Error(`the app did not start WebGPU (${String(report.backend)}): ${String(report.reason)}`);
      const timings: Timing[] = [];
      for (const model of ['nuclei', 'em-membranes']) {
        for (const size of sizes) {
          const t = await page.evaluate(
            async ({ model, size, repeats }) => {
              const worker = (window as unknown as { unetStudioWorker: WorkerHandle }).unetStudioWorker;
              const source = { kind: 'url', url: new URL(`models/${model}/model.json`, document.baseURI).href };
              await worker.call('loadModel', { id: model, source });
              const data = new Float32Array(size * size);
              for (let i = 0; i < data.length; i++) data[i] = 0.5 + 0.4 * Math.sin(i * 0.013) * Math.cos(i * 0.0007);
              type Result = { ms: number; tile: unknown; backend: string };
              const once = () => worker.call('segment', { modelId: model, image: { width: size, height: size, data: data.slice() }, options: { tta: false } }) as Promise<Result>;
              let last = await once(); // warm-up: shader compilation, buffer pools
              const ms: number[] = [];
              for (let r = 0; r < repeats; r++) {
                const t0 = performance.now();
                last = await once();
                ms.push(performance.now() - t0);
              }
              const sorted = [...ms].sort((a, b) => a - b);
              return { model, image: size, msMedian: sorted[Math.floor(sorted.length / 2)], ms, tile: last.tile, backend: last.backend };
            },
            { model, size, repeats },
          );
          timings.push(t);
          report.timings = timings;
          save();
          process.stderr.write(`webgpu ${model} ${size}²: ${t.msMedian.toFixed(1)} ms\n`);
        }
      }
    } finally {
      await browser.close();
    }
  } finally {
    server.kill();
  }
}

void main().catch((e: unknown) => {
  console.error(`bench/gpu/webgpu.ts: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
