/**
 * Main-thread cost of a big segmentation in the app (issue 11 goals: no main-thread task over 50 ms during a
 * 2048x2048 segmentation; pipeline overhead <= 1.10). Drives the built app in headless Chromium:
 *
 * - app path: drop a 2048x2048 image made of 4x4 ISBI 2012 slices, press Segment, wait for the result,
 *   recording every main-thread long task (PerformanceObserver 'longtask': tasks over 50 ms);
 * - worker path: the same pixels, same model, sent straight to the model worker (`?bench` exposes its client).
 *
 * Overhead = app wall time / worker wall time. The two paths alternate run by run (a fresh page each run, so
 * nothing is cached); medians are reported with the machine load. Never a pass/fail test.
 *
 *   npm run build && npm run bench:main-thread [-- --runs 3 --backend wasm --size 2048]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { decode, encode } from 'fast-png';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const runs = Number(arg('runs', '3'));
const backend = arg('backend', 'wasm');
const size = Number(arg('size', '2048'));
const port = Number(arg('port', '4176'));
const chromiumPath = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/google-chrome'].find(existsSync);
const quiet = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** A size x size grey image tiled from ISBI slices 0..15 (512x512 each), so it looks like real EM. */
function mosaic(): Uint8Array {
  const out = new Uint8Array(size * size);
  const side = 512;
  for (let ty = 0; ty < size / side; ty++) {
    for (let tx = 0; tx < size / side; tx++) {
      const n = (ty * 4 + tx) % 25;
      const png = decode(readFileSync(path.resolve('../shared/data/isbi2012-em/images', `${n}.png`)));
      for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) out[(ty * side + y) * size + tx * side + x] = png.data[(y * png.width + x) * png.channels];
    }
  }
  return out;
}

interface AppRun {
  readonly wallMs: number;
  readonly longTasks: number;
  readonly maxTaskMs: number;
  readonly totalTaskMs: number;
  readonly modelId: string;
}

async function openPage(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const tasks: { start: number; duration: number }[] = [];
    (window as unknown as { __longTasks: typeof tasks }).__longTasks = tasks;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) tasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`http://127.0.0.1:${port}/?backend=${backend}&bench`);
  await page.getByTestId('backend-status').and(page.locator('[data-status="ready"]')).waitFor({ timeout: 120_000 });
}

async function appRun(page: Page, png: Buffer): Promise<AppRun> {
  await openPage(page);
  await page.getByTestId('file-input').first().setInputFiles({ name: 'em-mosaic.png', mimeType: 'image/png', buffer: png });
  const segment = page.getByTestId('segment-current');
  await segment.and(page.locator(':enabled')).waitFor({ timeout: 120_000 });
  // Let decoding, thumbnails and the first draw settle, then count only what the segmentation causes.
  await page.waitForTimeout(1500);
  const t0 = await page.evaluate(() => {
    (window as unknown as { __longTasks: unknown[] }).__longTasks.length = 0;
    return performance.now();
  });
  await segment.click();
  await page.getByTestId('badge-segmented').waitFor({ timeout: 600_000 });
  const result = await page.evaluate((start) => {
    const tasks = (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.filter((t) => t.start >= start);
    return { wallMs: performance.now() - start, tasks: tasks.map((t) => t.duration) };
  }, t0);
  // The image's own model (a default from the cards' task), else the one selected for new images.
  const modelId = (await page.getByTestId('badge-model').getAttribute('data-model-id')) || (await page.getByTestId('model-select').inputValue());
  return {
    wallMs: result.wallMs,
    longTasks: result.tasks.length,
    maxTaskMs: Math.max(0, ...result.tasks),
    totalTaskMs: result.tasks.reduce((a, b) => a + b, 0),
    modelId,
  };
}

async function workerRun(page: Page, grey: Uint8Array, modelId: string): Promise<number> {
  await openPage(page);
  return page.evaluate(
    async ({ bytes, side, id }) => {
      type Client = { call(type: string, params: unknown, options?: unknown): Promise<unknown> };
      const client = (window as unknown as { unetStudioWorker: Client }).unetStudioWorker;
      const data = Float32Array.from(bytes);
      const url = new URL(`models/${id}/model.json`, document.baseURI).href;
      await client.call('loadModel', { id, source: { kind: 'url', url } });
      const start = performance.now();
      await client.call('segment', { modelId: id, image: { width: side, height: side, data }, options: { tta: false } }, { transfer: [data.buffer] });
      return performance.now() - start;
    },
    { bytes: Array.from(grey), side: size, id: modelId },
  );
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  if (!existsSync('dist/index.html')) throw new Error('Build the app first: npm run build');
  const grey = mosaic();
  const png = Buffer.from(encode({ width: size, height: size, data: grey, channels: 1, depth: 8 }));
  const server = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 2500));
  const browser = await chromium.launch({ executablePath: chromiumPath, args: [...quiet, '--enable-unsafe-webgpu'] });
  const app: AppRun[] = [];
  const worker: number[] = [];
  const load: number[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      load.push(os.loadavg()[0]);
      const a = await browser.newPage();
      app.push(await appRun(a, png));
      await a.close();
      const w = await browser.newPage();
      worker.push(await workerRun(w, grey, app[app.length - 1].modelId));
      await w.close();
      process.stderr.write(`run ${r + 1}: app ${(app[r].wallMs / 1000).toFixed(1)} s (${app[r].longTasks} long tasks, max ${app[r].maxTaskMs.toFixed(0)} ms), worker ${(worker[r] / 1000).toFixed(1)} s\n`);
    }
  } finally {
    await browser.close();
    server.kill();
  }
  const summary = {
    date: new Date().toISOString(),
    backend,
    size,
    model: app[0]?.modelId,
    cores: os.cpus().length,
    loadAverage: load,
    runs: app.map((a, k) => ({ ...a, workerMs: worker[k] })),
    median: {
      appMs: median(app.map((a) => a.wallMs)),
      workerMs: median(worker),
      overhead: median(app.map((a, k) => a.wallMs / worker[k])),
      maxTaskMs: median(app.map((a) => a.maxTaskMs)),
      longTasks: median(app.map((a) => a.longTasks)),
    },
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/main-thread-${backend}-${size}.json`, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(JSON.stringify(summary.median, null, 2));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
