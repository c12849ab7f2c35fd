import { dsbCrop } from './fixtures/appFiles';
import { watchConsole } from './console';
import { dropFiles, exportShownImage, labelCounts, openApp, paintStroke, paintTrainingStrokes, reloadApp, strokePlaces, waitForSaved } from './helpers';
import { expect, test } from './guard';

/*
 * Sessions that survive a reload (IndexedDB, src/state/persist/): images, painted labels (pixel-exact,
 * compared through the export's NAME_painted.png), results and kept models come back; a reload during
 * training offers to resume from the best checkpoint; a reload during an export loses nothing; a full
 * storage leaves the app working; a second tab never writes.
 */

const CROP = dsbCrop(128, 128, 128);

test('load, paint, segment, keep a tuned model; a reload brings all of it back exactly', async ({ page }) => {
  test.setTimeout(120_000);
  const console = watchConsole(page);
  await openApp(page);
  // Every test starts in a fresh browser context: nothing is stored yet.
  await expect(page.getByTestId('empty-state')).toBeVisible();
  await waitForSaved(page);
  await dropFiles(page, [CROP]);
  await expect(page.getByTestId('image-item')).toHaveCount(1);
  await paintTrainingStrokes(page, CROP);
  // The quickest fine-tune that still becomes a model: two steps.
  await page.getByTestId('train-steps').fill('2');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('train-result')).toBeVisible();
  const select = page.getByTestId('model-select');
  await expect(select.locator('option', { hasText: 'nuclei · tuned 1' })).toHaveCount(1);
  await select.selectOption('nuclei~tuned-1');
  await expect(page.getByTestId('model-facts')).toHaveAttribute('data-model-name', 'nuclei · tuned 1');
  await page.getByTestId('segment-current').click();
  await expect(page.getByTestId('badge-segmented')).toHaveCount(1);
  const counts = await labelCounts(page);
  expect(counts.foreground).toBeGreaterThan(0);
  expect(counts.background).toBeGreaterThan(0);
  const before = await exportShownImage(page);
  await waitForSaved(page);
  const imageId = await page.getByTestId('image-item').first().getAttribute('data-id');

  await reloadApp(page);
  const items = page.getByTestId('image-item');
  await expect(items).toHaveCount(1);
  await expect(items.first()).toHaveAttribute('aria-selected', 'true');
  if (imageId) await expect(items.first()).toHaveAttribute('data-id', imageId);
  await expect(page.getByTestId('model-facts')).toHaveAttribute('data-model-name', 'nuclei · tuned 1');
  // The result is back without pressing Segment.
  await expect(page.getByTestId('badge-segmented')).toHaveCount(1);
  expect(await labelCounts(page)).toEqual(counts);
  const after = await exportShownImage(page);
  const name = 'nuclei-crop';
  expect(Buffer.from(after[`${name}_painted.png`]).equals(Buffer.from(before[`${name}_painted.png`]))).toBe(true);
  expect(Buffer.from(after[`${name}_prob.png`]).equals(Buffer.from(before[`${name}_prob.png`]))).toBe(true);
  // The kept model is in the library with its record.
  await page.getByTestId('model-library').locator('summary').click();
  const kept = page.locator('[data-testid="library-item"][data-kept="true"]');
  await expect(kept).toHaveAttribute('data-name', 'nuclei · tuned 1');
  await expect(kept.getByTestId('library-facts')).toContainText('tuned from nuclei');
  // Storage used is shown, with this image's share.
  await page.getByTestId('session-status').click();
  await expect(page.getByTestId('storage-used')).toContainText('used');
  expect(Number(await page.getByTestId('storage-item').first().getAttribute('data-bytes'))).toBeGreaterThan(128 * 128 * 4);
  expect(console.errors).toEqual([]);
});

test('a reload during training loses no label and offers to resume from the best checkpoint', async ({ page }) => {
  test.setTimeout(150_000);
  await openApp(page);
  await dropFiles(page, [CROP]);
  await expect(page.getByTestId('image-item')).toHaveCount(1);
  await paintTrainingStrokes(page, CROP);
  await page.getByTestId('train-steps').fill('400');
  await page.getByTestId('train-lr').fill('0.001');
  await page.getByTestId('train-preview-every').selectOption('0');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('train-progress')).toHaveAttribute('data-phase', 'training');
  // A stroke painted while it trains is stored too.
  const { background } = strokePlaces(CROP);
  await paintStroke(page, background[4], [background[4][0] + 6, background[4][1]]);
  const badge = page.getByTestId('session-status');
  await expect.poll(async () => Number(await badge.getAttribute('data-checkpoint-step')), { timeout: 100_000 }).toBeGreaterThan(0);
  await waitForSaved(page);
  const counts = await labelCounts(page);
  const step = await badge.getAttribute('data-checkpoint-step');

  await reloadApp(page);
  await expect(page.getByTestId('image-item')).toHaveCount(1);
  await expect.poll(() => labelCounts(page)).toEqual(counts);
  const offer = page.getByTestId('resume-offer');
  await expect(offer).toHaveAttribute('data-step', step!);
  await expect(offer).toContainText(`Resume fine-tuning from the best checkpoint (step ${step})`);
  await page.getByTestId('resume-training').click();
  await expect(offer).toHaveCount(0);
  // The run starts from the checkpoint's weights, kept as a model of their own.
  await expect(page.getByTestId('model-select').locator('option:checked')).toHaveText(`nuclei · tuned 1 (checkpoint, step ${step})`);
  await expect(page.getByTestId('train-progress')).toHaveAttribute('data-phase', 'training');
  // It trains (the run ends with the test's page; stopping it would only cost time).
  await expect.poll(async () => Number(await page.getByTestId('train-progress').getAttribute('data-step'))).toBeGreaterThan(0);
});

test('a reload during an export loses nothing', async ({ page }) => {
  await openApp(page);
  await dropFiles(page, [CROP]);
  await expect(page.getByTestId('image-item')).toHaveCount(1);
  await page.getByTestId('tool-brush').click();
  await paintStroke(page, [20, 20], [100, 100]);
  const counts = await labelCounts(page);
  expect(counts.foreground).toBeGreaterThan(0);
  // No wait for the autosave: the export writes pending labels before it starts. The reload comes as soon as
  // that write is done (the badge says "Saved"), while the export is still being built or downloaded.
  await page.getByTestId('export-zip').click();
  await waitForSaved(page);
  await reloadApp(page);
  await expect(page.getByTestId('image-item')).toHaveCount(1);
  await expect.poll(() => labelCounts(page)).toEqual(counts);
});

test('storage full: a clear message stays, painting and export still work', async ({ page }) => {
  // Every write to IndexedDB fails as a full disk does (no hook in the app).
  await page.addInitScript(() => {
    const real = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function put() {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    // The test frees the space later by putting the real method back.
    (window as Window & { freeSpace?: () => void }).freeSpace = () => {
      IDBObjectStore.prototype.put = real;
    };
  });
  await openApp(page);
  await dropFiles(page, [CROP]);
  await expect(page.getByTestId('image-item')).toHaveCount(1);
  const notice = page.getByTestId('persist-notice');
  await expect(notice).toHaveAttribute('data-status', 'failed');
  await expect(notice).toContainText('storage for this site is full');
  await expect(notice).toContainText('export as usual');
  await expect(page.getByTestId('session-status')).toHaveAttribute('data-status', 'failed');
  await page.getByTestId('tool-brush').click();
  await paintStroke(page, [20, 20], [100, 100]);
  const counts = await labelCounts(page);
  expect(counts.foreground).toBeGreaterThan(0);
  const files = await exportShownImage(page);
  expect(Object.keys(files)).toContain('nuclei-crop_painted.png');
  // The message is still there (it is not a toast that goes away).
  await expect(notice).toBeVisible();
  // Space freed: "Save again" stores the whole session, and a reload brings the labels back.
  await page.evaluate(() => (window as Window & { freeSpace?: () => void }).freeSpace?.());
  await page.getByTestId('retry-saving').click();
  await waitForSaved(page);
  await expect(notice).toHaveCount(0);
  await reloadApp(page);
  await expect(page.getByTestId('image-item')).toHaveCount(1);
  await expect.poll(() => labelCounts(page)).toEqual(counts);
});

test('storage refused (IndexedDB cannot be opened): a clear message, and the app works in memory', async ({ page }) => {
  await page.addInitScript(() => {
    IDBFactory.prototype.open = function open() {
      throw new DOMException('Access to storage is denied.', 'SecurityError');
    };
  });
  await openApp(page);
  const notice = page.getByTestId('persist-notice');
  await expect(notice).toHaveAttribute('data-status', 'failed');
  await expect(notice).toContainText('does not let the app store its session');
  await dropFiles(page, [CROP]);
  await expect(page.getByTestId('image-item')).toHaveCount(1);
  await page.getByTestId('tool-brush').click();
  await paintStroke(page, [20, 20], [100, 100]);
  expect((await labelCounts(page)).foreground).toBeGreaterThan(0);
  expect(Object.keys(await exportShownImage(page))).toContain('nuclei-crop_painted.png');
});

test('a second tab opens the session read-only and never overwrites it', async ({ page, context }) => {
  await openApp(page);
  await dropFiles(page, [CROP]);
  await expect(page.getByTestId('image-item')).toHaveCount(1);
  await page.getByTestId('tool-brush').click();
  await paintStroke(page, [20, 20], [100, 100]);
  await waitForSaved(page);
  const counts = await labelCounts(page);

  const second = await context.newPage();
  await openApp(second);
  const notice = second.getByTestId('persist-notice');
  await expect(notice).toHaveAttribute('data-status', 'readonly');
  await expect(notice).toContainText('open in another tab');
  await expect(second.getByTestId('image-item')).toHaveCount(1);
  // What the second tab does is not written: removing the image there leaves the stored session alone.
  second.on('dialog', (dialog) => void dialog.accept());
  await second.getByTestId('image-item').first().getByRole('button', { name: /^Remove/ }).click();
  await expect(second.getByTestId('image-item')).toHaveCount(0);
  await second.close();

  await reloadApp(page);
  await expect(page.getByTestId('image-item')).toHaveCount(1);
  await expect.poll(() => labelCounts(page)).toEqual(counts);
});
