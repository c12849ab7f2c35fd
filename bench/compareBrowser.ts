/**
 * The browser candidates of bench/compare.ts: the built app (`vite preview`) in headless Chromium, driven
 * through its own model worker (`?bench` exposes the worker client): the app path (tfjs-wasm, threads as
 * shipped, or `?threads=N`), onnxruntime-web's WASM EP in the same worker with the same threads, and with
 * `--webgpu` tfjs-webgpu vs onnxruntime-web's WebGPU EP (SwiftShader without a GPU). Each page loads the
 * shipped models from the app's own origin and gets the raw images once; a run times one `segment` call
 * inside the page (normalisation, tiles, messaging: what the app pays).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from '@playwright/test';
import type { Candidate, CaseImage } from './compareNode';
import { TRAIN_CONFIG, TRAIN_TILE } from './compareNode';
import type { ProfiledKernel } from '../src/model/types';

const chromiumPath = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/google-chrome'].find(existsSync);
const quiet = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--enable-unsafe-webgpu'];

type Engine = 'tfjs' | 'ort-wasm' | 'ort-webgpu';

/** A training measurement in the app's worker: ms per step, and the kernels of one profiled step. */
export interface TrainingRun {
  readonly msPerStep: number;
  readonly threads: number | null;
  readonly kernels: readonly ProfiledKernel[];
  readonly profiledStepMs: number | null;
}

export interface BrowserPageSpec {
  readonly backend: 'wasm' | 'webgpu';
  /** `?threads=N`; undefined = as shipped. */
  readonly threads?: number;
  readonly engines: readonly Engine[];
  /** Cases this page runs (SwiftShader is too slow for 1024² in a bench of minutes). */
  readonly only?: (image: CaseImage) => boolean;
}

export interface BrowserRig {
  readonly candidates: Candidate[];
  readonly chromium: string;
  /** ms per training step in the app's worker (first page), tfjs, TRAIN_CONFIG on TRAIN_TILE px. */
  trainingMsPerStep(steps: number): Promise<number>;
  /** The same on page `page` (one per spec), with one more step profiled when `profile`. */
  training(steps: number, page: number, profile: boolean): Promise<TrainingRun>;
  close(): Promise<void>;
}

async function waitForServer(url: string, server: ChildProcess): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if (server.exitCode !== null) throw new Error(`vite preview exited with ${server.exitCode} (port taken?)`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`vite preview did not answer at ${url}`);
}

const toBase64 = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
const fromBase64 = (s: string) => {
  const b = Buffer.from(s, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

async function openPage(browser: Browser, base: string, spec: BrowserPageSpec, models: readonly string[], images: readonly CaseImage[]): Promise<{ page: Page; threads: number | null }> {
  const page = await browser.newPage();
  await page.goto(`${base}/?backend=${spec.backend}&bench${spec.threads ? `&threads=${spec.threads}` : ''}`);
  await page.getByTestId('backend-status').and(page.locator('[data-status="ready"]')).waitFor({ timeout: 180_000 });
  const threadsAttr = spec.backend === 'wasm' ? await page.getByTestId('backend-threads').getAttribute('data-threads') : null;
  await page.evaluate(async (names) => {
    const worker = (window as unknown as { unetStudioWorker: { call(t: string, p: unknown): Promise<unknown> } }).unetStudioWorker;
    for (const name of names) {
      await worker.call('loadModel', { id: `bench-${name}`, source: { kind: 'url', url: new URL(`models/${name}/model.json`, document.baseURI).href } });
    }
  }, models);
  for (const image of images) {
    await page.evaluate(
      ({ key, width, height, data }) => {
        const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
        const w = window as unknown as { benchImages?: Record<string, { width: number; height: number; data: Float32Array }> };
        w.benchImages ??= {};
        w.benchImages[key] = { width, height, data: new Float32Array(bytes.buffer) };
      },
      { key: image.key, width: image.raw.width, height: image.raw.height, data: toBase64(image.raw.data) },
    );
  }
  return { page, threads: threadsAttr === null ? null : Number(threadsAttr) };
}

function pageCandidate(page: Page, spec: BrowserPageSpec, threads: number | null, engine: Engine): Candidate {
  const label = spec.backend === 'webgpu' ? (engine === 'tfjs' ? 'app: tfjs-webgpu (SwiftShader)' : 'onnxruntime-web WebGPU (SwiftShader)') : engine === 'tfjs' ? `app: tfjs-wasm${spec.threads ? '' : ' (threads as shipped)'}` : 'onnxruntime-web WASM (browser)';
  return {
    name: `${label}, ${threads ?? '-'} thread${threads === 1 ? '' : 's'}`,
    where: 'browser',
    runtime: engine === 'tfjs' ? `tfjs ${spec.backend} in the app worker` : `onnxruntime-web ${engine.slice(4)} EP in the app worker`,
    threads: threads ?? 0,
    only: spec.only,
    segment: async (image) => {
      const answer = await page.evaluate(
        async ({ key, model, tileOutput, budgetBytes, engine }) => {
          const worker = (window as unknown as { unetStudioWorker: { call(t: string, p: unknown): Promise<unknown> } }).unetStudioWorker;
          const src = (window as unknown as { benchImages: Record<string, { width: number; height: number; data: Float32Array }> }).benchImages[key];
          const image = { width: src.width, height: src.height, data: src.data.slice() };
          const t0 = performance.now();
          const r = (await worker.call('segment', { modelId: `bench-${model}`, image, options: { tta: false, tileOutput, budgetBytes, engine } })) as { probabilities: Float32Array; engine?: string; engineReason?: string };
          const ms = performance.now() - t0;
          const bytes = new Uint8Array(r.probabilities.buffer);
          let s = '';
          for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
          return { ms, engine: r.engine, reason: r.engineReason, data: btoa(s) };
        },
        { key: image.key, model: image.model, tileOutput: image.tileOutput, budgetBytes: image.budgetBytes, engine },
      );
      if (answer.engine !== engine) throw new Error(`${engine} did not run (${answer.engine} did): ${answer.reason}`);
      return { probabilities: fromBase64(answer.data), seconds: answer.ms / 1000 };
    },
    dispose: async () => undefined,
  };
}

/** Starts `vite preview` of dist/ on `port`, opens one page per spec and returns a candidate per engine. */
export async function startBrowserRig(port: number, specs: readonly BrowserPageSpec[], models: readonly string[], images: readonly CaseImage[]): Promise<BrowserRig> {
  if (!existsSync('dist/index.html')) throw new Error('Build the app first: npm run build');
  const base = `http://127.0.0.1:${port}`;
  // Its own process group: npx starts vite as a child, which killing npx alone would leave serving the port.
  const server = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], { stdio: 'ignore', detached: true });
  const stopServer = () => {
    if (server.pid !== undefined) process.kill(-server.pid, 'SIGTERM');
  };
  let browser: Browser | null = null;
  try {
    await waitForServer(base, server);
    browser = await chromium.launch({ executablePath: chromiumPath, args: quiet });
    const candidates: Candidate[] = [];
    const pages: Page[] = [];
    const pageThreads: (number | null)[] = [];
    for (const spec of specs) {
      const { page, threads } = await openPage(browser, base, spec, models, images.filter((i) => spec.only?.(i) ?? true));
      pages.push(page);
      pageThreads.push(threads);
      for (const engine of spec.engines) candidates.push(pageCandidate(page, spec, threads, engine));
    }
    const opened = browser;
    const training = async (steps: number, index: number, profile: boolean): Promise<TrainingRun> => {
      type Answer = { training: { msPerStep: number } | null; trainingKernels?: ProfiledKernel[]; profiledStepMs?: number };
      const result = await pages[index].evaluate(
        ({ config, tile, steps, profile }) =>
          (window as unknown as { unetStudioWorker: { call(t: string, p: unknown): Promise<Answer> } }).unetStudioWorker.call('benchmarkModel', {
            config,
            tileSizes: [],
            repeats: 1,
            trainTile: tile,
            trainSteps: steps,
            profileTraining: profile,
          }),
        { config: TRAIN_CONFIG, tile: TRAIN_TILE, steps, profile },
      );
      return { msPerStep: result.training?.msPerStep ?? Number.NaN, threads: pageThreads[index], kernels: result.trainingKernels ?? [], profiledStepMs: result.profiledStepMs ?? null };
    };
    return {
      candidates,
      chromium: `${chromiumPath} ${opened.version()}`,
      training,
      trainingMsPerStep: async (steps) => (await training(steps, 0, false)).msPerStep,
      close: async () => {
        await opened.close();
        stopServer();
      },
    };
  } catch (error) {
    await browser?.close();
    stopServer();
    throw error;
  }
}
