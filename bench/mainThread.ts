/**
 * Main-thread cost of a big segmentation in the app (issue 11 goals: no main-thread task over 50 ms during a
 * 2048x2048 segmentation; pipeline overhead <= 1.10). Drives the built app in headless Chromium:
 *
 * - app path: select the EM model, drop a 2048x2048 image made of 4x4 ISBI 2012 slices, press Segment, wait
 *   for the result, recording every main-thread long task (PerformanceObserver 'longtask': tasks over 50 ms)
 *   until 1.5 s after it (its first draw);
 * - worker path: the same pixels, same model, sent straight to the model worker (`?bench` exposes its client),
 *   with the same objects request as the app's Segment (`--objects no`: the model alone).
 *
 * Overhead = app wall time / worker wall time. The two paths alternate run by run (a fresh page each run, so
 * nothing is cached); medians are reported with the machine load. Never a pass/fail test.
 *
 *   npm run build && npm run bench:main-thread [-- --runs 3 --backend wasm --size 2048 --port 4176 --trace /tmp/t --dist dist]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { decode, encode } from 'fast-png';
import { defaultPostProcessing, type PostProcessing } from '../src/image/postProcessing';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const runs = Number(arg('runs', '3'));
const backend = arg('backend', 'wasm');
const size = Number(arg('size', '2048'));
const port = Number(arg('port', '4176'));
/** The built app to serve (`--dist dist-before` compares another build, e.g. main's, in the same session). */
const dist = arg('dist', 'dist');
/** The model the app segments with: the EM model for the EM mosaic (its card says rescale off). */
const modelName = arg('model', 'em-membranes');
/**
 * `--objects no`: the worker path runs the model alone. By default it also asks for the objects with the
 * card's post-processing, as the app's Segment does, so that both paths do the same work.
 */
const withObjects = arg('objects', 'yes') !== 'no';

/** The post-processing the app uses for a model without settings of the user's: the card's, else its task's default. */
function cardSettings(id: string): PostProcessing {
  const card = JSON.parse(readFileSync(path.resolve('public/models', id, 'model-card.json'), 'utf8')) as { task: string; postProcessing?: PostProcessing };
  return card.postProcessing ?? defaultPostProcessing(card.task === 'membranes' ? 'cells' : 'foreground');
}
/** `--worker no` skips the worker path (to iterate on the app path alone). */
const withWorker = arg('worker', 'yes') !== 'no';
/** Writes a Chrome trace of each app run (TRACE-N.json) to find what the long tasks are. */
const tracePath = arg('trace', '');
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
  /** Each long task: when it started (ms after Segment was pressed) and how long it ran; the badge came at wallMs. */
  readonly tasks: readonly { readonly atMs: number; readonly ms: number }[];
  readonly modelId: string;
  /** With --trace: the main thread's tasks over 50 ms, wall and CPU ms. */
  readonly traced?: readonly { readonly wallMs: number; readonly cpuMs: number; readonly top: string }[];
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

/** Starts a Chrome trace (timeline events and JS samples) of the page; the function returned ends it into `file`. */
async function startTrace(page: Page, file: string): Promise<() => Promise<void>> {
  const cdp = await page.context().newCDPSession(page);
  const categories = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'disabled-by-default-v8.cpu_profiler', 'blink.user_timing'];
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: categories }, transferMode: 'ReturnAsStream' });
  return async () => {
    const done = new Promise<string>((resolve) => cdp.once('Tracing.tracingComplete', (e) => resolve(e.stream ?? '')));
    await cdp.send('Tracing.end');
    const handle = await done;
    const chunks: string[] = [];
    for (;;) {
      const { data, eof } = await cdp.send('IO.read', { handle, size: 1 << 20 });
      chunks.push(data);
      if (eof) break;
    }
    await cdp.send('IO.close', { handle });
    writeFileSync(file, chunks.join(''));
  };
}

interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly pid: number;
  readonly tid: number;
  readonly ts: number;
  readonly dur?: number;
  readonly tdur?: number;
  readonly args?: { readonly name?: string };
}

/**
 * The page's main-thread tasks over 50 ms in a trace: wall ms, the ms the thread ran on a CPU (on a loaded
 * machine a task waits for a core, so wall > CPU), and its longest child events. The first is often the
 * trace starting (V8.InvokeApiInterruptCallbacks), not the app.
 */
function tracedTasks(file: string): { wallMs: number; cpuMs: number; top: string }[] {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const counts = new Map<string, number>();
  for (const e of events) if (e.ph === 'X' && mains.has(`${e.pid}:${e.tid}`)) counts.set(`${e.pid}:${e.tid}`, (counts.get(`${e.pid}:${e.tid}`) ?? 0) + 1);
  const main = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const onMain = events.filter((e) => e.ph === 'X' && `${e.pid}:${e.tid}` === main && e.dur !== undefined);
  const tasks = onMain.filter((e) => e.name === 'RunTask' && (e.dur ?? 0) > 50_000);
  return tasks.map((t) => {
    const end = t.ts + (t.dur ?? 0);
    const children = onMain.filter((e) => e !== t && e.ts >= t.ts && e.ts + (e.dur ?? 0) <= end && e.name !== 'RunTask' && (e.dur ?? 0) > 5_000);
    const top = children
      .sort((a, b) => (b.dur ?? 0) - (a.dur ?? 0))
      .slice(0, 3)
      .map((e) => `${e.name} ${Math.round((e.dur ?? 0) / 1000)}`)
      .join(', ');
    return { wallMs: Math.round((t.dur ?? 0) / 1000), cpuMs: Math.round((t.tdur ?? 0) / 1000), top };
  });
}

async function appRun(page: Page, png: Buffer, trace = ''): Promise<AppRun> {
  await openPage(page);
  // New images take the model selected then; the default (the first in the library) is nuclei.
  const facts = page.getByTestId('model-facts');
  await facts.and(page.locator('[data-model-name]')).waitFor({ timeout: 120_000 });
  if ((await facts.getAttribute('data-model-name')) !== modelName) {
    await page.getByTestId('model-select').selectOption(modelName);
    await facts.and(page.locator(`[data-model-name="${modelName}"]`)).waitFor({ timeout: 120_000 });
  }
  await page.getByTestId('file-input').first().setInputFiles({ name: 'em-mosaic.png', mimeType: 'image/png', buffer: png });
  const segment = page.getByTestId('segment-current');
  await segment.and(page.locator(':enabled')).waitFor({ timeout: 120_000 });
  // Let decoding, thumbnails and the first draw settle, then count only what the segmentation causes.
  await page.waitForTimeout(1500);
  const t0 = await page.evaluate(() => {
    (window as unknown as { __longTasks: unknown[] }).__longTasks.length = 0;
    return performance.now();
  });
  const endTrace = trace ? await startTrace(page, trace) : null;
  await segment.click();
  await page.getByTestId('badge-segmented').waitFor({ timeout: 600_000 });
  const wallMs = await page.evaluate((start) => performance.now() - start, t0);
  // The result's first draw and objects follow the badge: their tasks count too.
  await page.waitForTimeout(1500);
  const result = await page.evaluate((start) => {
    const tasks = (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.filter((t) => t.start >= start);
    return { tasks: tasks.map((t) => t.duration), at: tasks.map((t) => t.start - start) };
  }, t0);
  await endTrace?.();
  const traced = trace ? tracedTasks(trace) : undefined;
  // The image's own model (a default from the cards' task), else the one selected for new images.
  const modelId = (await page.getByTestId('badge-model').getAttribute('data-model-id')) || (await page.getByTestId('model-select').inputValue());
  return {
    wallMs,
    longTasks: result.tasks.length,
    maxTaskMs: Math.max(0, ...result.tasks),
    totalTaskMs: result.tasks.reduce((a, b) => a + b, 0),
    tasks: result.tasks.map((ms, k) => ({ atMs: Math.round(result.at[k]), ms: Math.round(ms) })),
    modelId,
    ...(traced ? { traced } : {}),
  };
}

async function workerRun(page: Page, grey: Uint8Array, modelId: string): Promise<number> {
  await openPage(page);
  return page.evaluate(
    async ({ bytes, side, id, settings }) => {
      type Client = { call(type: string, params: unknown, options?: unknown): Promise<unknown> };
      const client = (window as unknown as { unetStudioWorker: Client }).unetStudioWorker;
      const data = Float32Array.from(bytes);
      const url = new URL(`models/${id}/model.json`, document.baseURI).href;
      await client.call('loadModel', { id, source: { kind: 'url', url } });
      const start = performance.now();
      const objects = settings ? { objects: { settings } } : {};
      await client.call('segment', { modelId: id, image: { width: side, height: side, data }, options: { tta: false }, ...objects }, { transfer: [data.buffer] });
      return performance.now() - start;
    },
    { bytes: Array.from(grey), side: size, id: modelId, settings: withObjects ? cardSettings(modelId) : null },
  );
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  if (!existsSync(path.join(dist, 'index.html'))) throw new Error(`Build the app first: npm run build (no ${dist}/index.html)`);
  const grey = mosaic();
  const png = Buffer.from(encode({ width: size, height: size, data: grey, channels: 1, depth: 8 }));
  // vite itself, not npx: killing npx left vite serving (an old build) on the port for the next run.
  const server = spawn(path.resolve('node_modules/.bin/vite'), ['preview', '--outDir', dist, '--port', String(port), '--strictPort', '--host', '127.0.0.1'], { stdio: 'ignore' });
  const exited = new Promise<never>((_, reject) => server.once('exit', (code) => reject(new Error(`vite preview exited (${code}): is port ${port} taken? Try --port N`))));
  await Promise.race([new Promise((r) => setTimeout(r, 2500)), exited]);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: [...quiet, '--enable-unsafe-webgpu'] });
  const app: AppRun[] = [];
  const worker: number[] = [];
  const load: number[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      load.push(os.loadavg()[0]);
      const a = await browser.newPage();
      app.push(await appRun(a, png, tracePath && `${tracePath}-${r + 1}.json`));
      await a.close();
      if (withWorker) {
        const w = await browser.newPage();
        worker.push(await workerRun(w, grey, app[app.length - 1].modelId));
        await w.close();
      } else worker.push(Number.NaN);
      for (const t of app[r].traced ?? []) process.stderr.write(`  traced task: ${t.wallMs} ms wall, ${t.cpuMs} ms CPU (${t.top})\n`);
      process.stderr.write(`run ${r + 1}: app ${(app[r].wallMs / 1000).toFixed(1)} s (${app[r].longTasks} long tasks, max ${app[r].maxTaskMs.toFixed(0)} ms; at+ms: ${app[r].tasks.map((t) => `${t.atMs}+${t.ms}`).join(' ')}), worker ${(worker[r] / 1000).toFixed(1)} s\n`);
    }
  } finally {
    await browser.close();
    server.kill();
  }
  const summary = {
    date: new Date().toISOString(),
    backend,
    size,
    dist,
    model: app[0]?.modelId,
    workerPathObjects: withObjects,
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
  const suffix = dist === 'dist' ? '' : `-${path.basename(dist)}`;
  writeFileSync(`bench/results/main-thread-${backend}-${size}${suffix}.json`, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(JSON.stringify(summary.median, null, 2));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
