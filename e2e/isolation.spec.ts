import type { Page } from '@playwright/test';
import { expect, test } from './guard';

/*
 * All cores in the browser: the built app is cross-origin isolated (COOP + COEP, from `vite preview` or,
 * on a host that sends no headers, from the app's service worker), so tfjs-backend-wasm runs its threaded
 * build with the thread count the app sets, and threads do not change the result.
 */

interface WorkerHandle {
  call(type: string, params: unknown): Promise<unknown>;
}

async function openWasm(page: Page, query: string): Promise<{ threads: number; isolated: boolean }> {
  await page.goto(`/?backend=wasm&bench${query}`);
  await expect(page.getByTestId('backend-status')).toHaveAttribute('data-status', 'ready');
  await expect(page.getByTestId('backend-name')).toHaveText('wasm');
  const badge = page.getByTestId('backend-threads');
  return { threads: Number(await badge.getAttribute('data-threads')), isolated: (await badge.getAttribute('data-isolated')) === 'true' };
}

/** The shipped nuclei model on a seeded 300x260 plane (several tiles at a 256 px output tile), in the page's worker. */
async function segmentProbe(page: Page): Promise<number[]> {
  return page.evaluate(async () => {
    const worker = (window as unknown as { unetStudioWorker: WorkerHandle }).unetStudioWorker;
    const source = { kind: 'url', url: new URL('models/nuclei/model.json', document.baseURI).href };
    await worker.call('loadModel', { id: 'probe', source });
    const width = 300;
    const height = 260;
    const data = new Float32Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) data[y * width + x] = 0.5 + 0.5 * Math.sin(x / 9) * Math.cos(y / 13) + ((x * 7 + y * 13) % 17) / 40;
    }
    const result = (await worker.call('segment', { modelId: 'probe', image: { width, height, data }, options: { tta: false, tileOutput: 128, engine: 'tfjs' } })) as {
      probabilities: Float32Array;
    };
    return Array.from(result.probabilities);
  });
}

test('the built app is cross-origin isolated and WASM runs one thread per core by default', async ({ page }) => {
  const { threads, isolated } = await openWasm(page, '');
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
  expect(isolated).toBe(true);
  expect(threads).toBe(cores);
  await expect(page.getByTestId('backend-threads')).toHaveText(`${cores} thread${cores === 1 ? '' : 's'}`);
});

test('?threads=N sets the WASM thread count, and 1 and 3 threads give the same probabilities', async ({ page }) => {
  const single = await openWasm(page, '&threads=1');
  expect(single.threads).toBe(1);
  const one = await segmentProbe(page);

  // 3, not the core count: more threads than this 2-core machine has still splits every kernel differently.
  const multi = await openWasm(page, '&threads=3');
  expect(multi.isolated).toBe(true);
  expect(multi.threads).toBe(3);
  const three = await segmentProbe(page);

  expect(three.length).toBe(one.length);
  expect(one.length).toBe(300 * 260);
  let maxDiff = 0;
  for (let i = 0; i < one.length; i++) maxDiff = Math.max(maxDiff, Math.abs(one[i] - three[i]));
  expect(maxDiff).toBeLessThanOrEqual(1e-5);
  // Not a constant map: the comparison above would hold trivially for one.
  expect(Math.max(...one) - Math.min(...one)).toBeGreaterThan(0.1);
});

test('on a host that sends no COOP/COEP headers, the service worker isolates the app after one reload', async ({ page, context }) => {
  // The preview server's isolation headers are stripped from every response that reaches the network.
  await context.route('**/*', async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers['cross-origin-opener-policy'];
    delete headers['cross-origin-embedder-policy'];
    await route.fulfill({ response, headers });
  });
  await page.goto('/?backend=wasm');
  await expect.poll(() => page.evaluate(() => window.crossOriginIsolated).catch(() => false), { timeout: 60_000 }).toBe(true);
  await expect(page.getByTestId('backend-status')).toHaveAttribute('data-status', 'ready');
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  await expect(page.getByTestId('backend-threads')).toHaveAttribute('data-threads', String(cores));
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  // The first load was not isolated: main.tsx reloaded once (it marks that), so the isolation is the worker's.
  expect(await page.evaluate(() => sessionStorage.getItem('unet-studio-isolation-reload'))).toBe('1');
});
