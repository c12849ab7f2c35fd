import { dsbCrop } from './fixtures/appFiles';
import { expect, test } from './guard';
import { dropFiles } from './helpers';

/*
 * onnxruntime-web in the app's model worker: the shipped nuclei model's ONNX export (written in the worker
 * from the loaded weights) run by onnxruntime-web's WASM EP gives the tfjs path's probabilities within
 * 1e-4 on a multi-tile image, from our own origin under the app's CSP (the guard fails the test on a
 * foreign request or a refused script/worker/WASM). The worker is driven directly (`?bench` exposes it).
 */

interface SegmentAnswer {
  readonly probabilities: Float32Array;
  readonly engine?: string;
  readonly engineReason?: string;
  readonly tile: { readonly tiles: number };
}

test('onnxruntime-web (WASM EP) in the worker gives the tfjs probabilities within 1e-4', async ({ page }) => {
  await page.goto('/?backend=wasm&bench');
  await expect(page.getByTestId('backend-status')).toHaveAttribute('data-status', 'ready');
  const outcome = await page.evaluate(async () => {
    type Call = (type: string, params: unknown) => Promise<unknown>;
    const worker = (window as unknown as { unetStudioWorker: { call: Call } }).unetStudioWorker;
    const url = new URL('models/nuclei/model.json', document.baseURI).href;
    await worker.call('loadModel', { id: 'ort-e2e', source: { kind: 'url', url } });
    const width = 300;
    const height = 260;
    const image = () => {
      const data = new Float32Array(width * height);
      // Blobs on a ramp: something the nuclei model answers with both classes.
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const blob = Math.max(0, Math.cos(x / 9) * Math.cos(y / 11));
          data[y * width + x] = 20 + 180 * blob ** 2 + 0.1 * x;
        }
      }
      return { width, height, data };
    };
    // A small tile so the image takes several tiles (the stitching is part of what is compared).
    const run = (engine: string) =>
      worker.call('segment', { modelId: 'ort-e2e', image: image(), options: { tta: false, tileOutput: 124, engine } }) as Promise<SegmentAnswer>;
    const tfjs = await run('tfjs');
    const ort = await run('ort-wasm');
    const again = await run('ort-wasm');
    let diff = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < tfjs.probabilities.length; i++) {
      diff = Math.max(diff, Math.abs(tfjs.probabilities[i] - ort.probabilities[i]));
      min = Math.min(min, ort.probabilities[i]);
      max = Math.max(max, ort.probabilities[i]);
    }
    const same = again.probabilities.every((v, i) => v === ort.probabilities[i]);
    return { diff, min, max, same, engines: [tfjs.engine, ort.engine], reason: ort.engineReason, tiles: [tfjs.tile.tiles, ort.tile.tiles] };
  });
  expect(outcome.engines).toEqual(['tfjs', 'ort-wasm']);
  expect(outcome.tiles[0]).toBeGreaterThan(1);
  expect(outcome.tiles[1]).toBe(outcome.tiles[0]);
  expect(outcome.diff).toBeLessThanOrEqual(1e-4);
  // Both classes are present, so agreement is not two constant maps agreeing.
  expect(outcome.min).toBeLessThan(0.2);
  expect(outcome.max).toBeGreaterThan(0.8);
  // The second run reuses the session of this revision and gives the same bits.
  expect(outcome.same).toBe(true);
});

test('the ort-wasm engine is chosen in the settings, runs, and works offline', async ({ page, context }) => {
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('backend-status')).toHaveAttribute('data-status', 'ready');
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await page.getByTestId('settings-button').click();
  await page.getByTestId('engine-select').selectOption('ort-wasm');
  await expect(page).toHaveURL(/engine=ort-wasm/);
  await page.getByTestId('settings-button').click();
  await dropFiles(page, [dsbCrop(128, 128, 128)]);
  await page.getByTestId('image-item').first().click();
  await page.getByTestId('segment-current').click();
  await expect(page.getByTestId('badge-segmented')).toHaveCount(1);
  await page.getByTestId('settings-button').click();
  await expect(page.getByTestId('engine-reason')).toHaveAttribute('data-engine', 'ort-wasm');
  // onnxruntime-web's WASM runtime (loader + binary) is in the service worker's cache.
  const cached = await page.evaluate(async () => {
    const names = await caches.keys();
    const urls = (await Promise.all(names.map(async (n) => (await (await caches.open(n)).keys()).map((r) => r.url)))).flat();
    return urls.filter((u) => /ort-wasm-simd-threaded/.test(u)).length;
  });
  expect(cached).toBeGreaterThanOrEqual(2);

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByTestId('backend-status')).toHaveAttribute('data-status', 'ready');
  // The stored session comes back with its image (its result too, if it was saved before this quick reload);
  // a new image proves that segmentation works offline.
  await expect(page.getByTestId('image-item')).toHaveCount(1);
  await dropFiles(page, [dsbCrop(0, 0, 128, 'offline-crop.png')]);
  await expect(page.getByTestId('image-item')).toHaveCount(2);
  const fresh = page.getByTestId('image-item').filter({ hasText: 'offline-crop' });
  await fresh.click();
  await page.getByTestId('segment-current').click();
  await expect(fresh.getByTestId('badge-segmented')).toHaveCount(1);
  await page.getByTestId('settings-button').click();
  await expect(page.getByTestId('engine-reason')).toHaveAttribute('data-engine', 'ort-wasm');
});
