import { dsbCrop } from './fixtures/appFiles';
import { expect, test } from './guard';
import { dropFiles, openApp } from './helpers';

/*
 * Offline after the first load: the service worker of the built app (src/sw/serviceWorker.ts) keeps the
 * shell, the bundles, the WASM binaries and the shipped models, so a reload without any network starts the
 * app, loads the default model and segments.
 */

test('after one load the app starts, loads its model and segments with the network gone', async ({ page, context }) => {
  await openApp(page);
  // The worker is active only once everything is in its cache; then it controls the page.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

  await context.setOffline(true);
  expect(await page.evaluate(() => navigator.onLine)).toBe(false);
  await page.reload();
  await expect(page.getByTestId('backend-status')).toHaveAttribute('data-status', 'ready');
  await expect(page.getByTestId('model-facts')).toHaveAttribute('data-model-name', 'nuclei');
  await dropFiles(page, [dsbCrop(128, 128, 128)]);
  await page.getByTestId('image-item').first().click();
  await page.getByTestId('segment-current').click();
  await expect(page.getByTestId('badge-segmented')).toHaveCount(1);
});
