import type { Page } from '@playwright/test';
import { encodeTiff } from '../src/image/tiffWrite';
import { dsbCrop } from './fixtures/appFiles';
import { dropFiles, openApp, paintStroke } from './helpers';
import { expect, test } from './guard';

/*
 * Issue 12, faults in the model worker, injected by the test hooks of src/worker/testHooks.ts (armed from
 * globalThis.__unetTestHooks, which only these tests set): the worker crashes with a segmentation pending;
 * the WebGPU device is lost in the middle of a segmentation.
 */

type Hooks = { crashOnSegment?: boolean; loseDeviceMidSegment?: boolean };

async function armHooks(page: Page, hooks: Hooks): Promise<void> {
  await page.addInitScript((h) => {
    (globalThis as { __unetTestHooks?: unknown }).__unetTestHooks = h;
  }, hooks);
}

/** Later workers (a restart) start without hooks. */
async function disarmHooks(page: Page): Promise<void> {
  await page.evaluate(() => delete (globalThis as { __unetTestHooks?: unknown }).__unetTestHooks);
}

async function labelCounts(page: Page): Promise<{ background: number; foreground: number }> {
  const el = page.getByTestId('label-counts');
  return { background: Number(await el.getAttribute('data-background')), foreground: Number(await el.getAttribute('data-foreground')) };
}

test('a worker crash with a segmentation pending: a clear message, a new worker, the next segmentation works, the session intact', async ({ page }) => {
  await armHooks(page, { crashOnSegment: true });
  await openApp(page);
  await disarmHooks(page);
  await dropFiles(page, [dsbCrop(60, 150, 64, 'nuclei.png')]);
  const item = page.getByTestId('image-item');
  await expect(item).toHaveCount(1);
  await page.getByTestId('tool-brush').click();
  await paintStroke(page, [10, 10], [50, 40]);
  const painted = await labelCounts(page);
  expect(painted.foreground).toBeGreaterThan(50);

  await page.getByTestId('segment-current').click();
  const errors = page.getByTestId('toast-error');
  await expect(errors.filter({ hasText: 'Could not segment nuclei.png' })).toContainText(
    'The model worker crashed (Uncaught Error: test hook: the model worker crashed); a new one is starting. Images and labels are kept: run the command again.',
  );
  await expect(errors.filter({ hasText: 'A new one was started' })).toHaveCount(1);
  await expect(item.getByTestId('badge-segmented')).toHaveCount(0);
  await expect(page.getByTestId('backend-status')).toHaveAttribute('data-status', 'ready');
  await expect(page.getByTestId('model-facts')).toHaveAttribute('data-model-name', 'nuclei');

  await page.getByTestId('segment-current').click();
  await expect(item.getByTestId('badge-segmented')).toHaveCount(1);
  await expect(page.getByTestId('object-count')).toHaveAttribute('data-value', /^[1-9]\d*$/);
  expect(await labelCounts(page)).toEqual(painted);
});

test('WebGPU device lost in the middle of a segmentation: the backend is re-created (or WASM takes over) and the result equals a normal run', async ({ page }) => {
  await armHooks(page, { loseDeviceMidSegment: true });
  await openApp(page, 'webgpu');
  await disarmHooks(page);
  await expect(page.getByTestId('backend-name')).toHaveText(/webgpu/i);
  // The same pixels twice, as PNG and as TIFF (different bytes, so both are kept): the first segmentation
  // loses the device, the second runs normally.
  const png = dsbCrop(60, 150, 64, 'lost.png');
  const { decode } = await import('fast-png');
  const pixels = decode(png.bytes);
  const tiff = { name: 'normal.tif', bytes: encodeTiff([{ width: 64, height: 64, channels: 1, data: pixels.data as Uint8Array }]) };
  await dropFiles(page, [png, tiff]);
  const items = page.getByTestId('image-item');
  await expect(items).toHaveCount(2);

  await items.nth(0).click();
  await page.getByTestId('segment-current').click();
  const lostToast = page.getByTestId('toast-warning').filter({ hasText: 'GPU device was lost' });
  await expect(lostToast).toHaveCount(1);
  const lostMessage = (await lostToast.textContent()) ?? '';
  await expect(items.nth(0).getByTestId('badge-segmented')).toHaveCount(1);
  const objects = page.getByTestId('object-count');
  await expect(objects).toHaveAttribute('data-value', /^\d+$/);
  const lost = { objects: await objects.getAttribute('data-value'), mask: await page.getByTestId('mask-pixels').getAttribute('data-value') };

  expect(Number(lost.mask)).toBeGreaterThan(0);

  await items.nth(1).click();
  await expect(page.getByTestId('mask-pixels')).not.toHaveAttribute('data-value', /^\d+$/);
  await page.getByTestId('segment-current').click();
  await expect(items.nth(1).getByTestId('badge-segmented')).toHaveCount(1);
  await expect(page.getByTestId('mask-pixels')).toHaveAttribute('data-value', lost.mask ?? '');
  await expect(objects).toHaveAttribute('data-value', lost.objects ?? '');
  // On a new WebGPU device, or (where WebGPU cannot be re-created, as with SwiftShader in a worker) on
  // WASM, and then a notice says so.
  if (!/webgpu/i.test((await page.getByTestId('backend-name').textContent()) ?? '')) {
    await expect(page.getByTestId('backend-name')).toHaveText(/wasm/i);
    expect(lostMessage).toContain('WebGPU could not be re-created, so the worker now runs on wasm');
  }
});
