import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { DSB_ID, dsbCrop, dsbImage } from './fixtures/appFiles';
import { dropFiles, imagePoint, openApp } from './helpers';
import { expect, test } from './guard';

/*
 * The workspace explains itself: a file dropped twice is recognised, info toasts go and errors stay, the
 * painted classes are named after the model's task, "This image" is one ZIP, and the wheel zooms in small
 * steps about the cursor.
 */

test('the same file dropped twice is loaded once; info toasts go by themselves, errors stay', async ({ page }) => {
  await page.clock.install();
  await openApp(page);
  const items = page.getByTestId('image-item');
  await dropFiles(page, [dsbImage()]);
  await expect(items).toHaveCount(1);

  await dropFiles(page, [dsbImage()]);
  const info = page.getByTestId('toast-info').filter({ hasText: 'already loaded' });
  await expect(info).toContainText(`${DSB_ID}.png is already loaded`);
  await expect(page.getByTestId('status-text')).toContainText('already loaded');
  await expect(items).toHaveCount(1);
  // The same bytes under another name, and another file under the same name, are different files.
  await dropFiles(page, [{ ...dsbImage(), name: 'copy.png' }, { ...dsbCrop(0, 0, 64), name: `${DSB_ID}.png` }]);
  await expect(items).toHaveCount(3);

  await dropFiles(page, [{ name: 'empty.tif', bytes: new Uint8Array(0) }]);
  const error = page.getByTestId('toast-error');
  await expect(error).toHaveCount(1);
  await page.clock.fastForward('00:10');
  await expect(info).toHaveCount(0);
  await page.clock.fastForward('05:00');
  await expect(error).toHaveCount(1);
  await error.getByRole('button', { name: 'Dismiss' }).click();
  await expect(error).toHaveCount(0);
});

test('painted classes are named after the model task; names the user gave are kept', async ({ page }) => {
  await openApp(page);
  await dropFiles(page, [dsbCrop(0, 0, 64)]);
  const facts = page.getByTestId('model-facts');
  const [bg, fg] = [page.getByTestId('class-name-1'), page.getByTestId('class-name-2')];
  await expect(facts).toHaveAttribute('data-model-name', 'nuclei');
  await expect(bg).toHaveValue('background');
  await expect(fg).toHaveValue('nucleus');

  await page.getByTestId('model-select').selectOption('em-membranes');
  await expect(facts).toHaveAttribute('data-model-name', 'em-membranes');
  await expect(bg).toHaveValue('cell');
  await expect(fg).toHaveValue('membrane');
  await expect(page.getByTestId('export-panel')).toContainText('1 cell, 2 membrane');

  await fg.fill('synapse');
  await page.getByTestId('model-select').selectOption('nuclei');
  await expect(facts).toHaveAttribute('data-model-name', 'nuclei');
  await expect(fg).toHaveValue('synapse');
  await expect(bg).toHaveValue('cell');
});

test('"This image" downloads one ZIP with all of the image\'s files', async ({ page }) => {
  await openApp(page);
  await dropFiles(page, [dsbImage()]);
  await page.getByTestId('segment-current').click();
  await expect(page.getByTestId('badge-segmented')).toHaveCount(1);
  const downloads: string[] = [];
  page.on('download', (d) => downloads.push(d.suggestedFilename()));
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-current').click()]);
  expect(download.suggestedFilename()).toBe(`${DSB_ID}.zip`);
  const entries = Object.keys(unzipSync(new Uint8Array(readFileSync((await download.path())!)))).sort();
  // The images, plus the objects' measurements (CSV) and their ImageJ ROIs.
  expect(entries).toEqual([`${DSB_ID}_RoiSet.zip`, ...['labels', 'mask'].map((k) => `${DSB_ID}_${k}.png`), `${DSB_ID}_objects.csv`, ...['preview', 'prob'].map((k) => `${DSB_ID}_${k}.png`)]);
  await expect(page.getByTestId('export-current')).toBeEnabled();
  expect(downloads).toEqual([`${DSB_ID}.zip`]);
});

test('wheel and pinch zoom in small steps about the cursor', async ({ page }) => {
  await openApp(page);
  await dropFiles(page, [dsbImage()]);
  const viewer = page.getByTestId('viewer');
  await expect(viewer).not.toHaveAttribute('data-zoom', '0');
  const zoom = async () => Number(await viewer.getAttribute('data-zoom'));
  const at = await imagePoint(page, 100, 60);
  await page.mouse.move(at.x, at.y);

  // One notch of a mouse wheel (100 px): a step of a few per cent to ~20%, not a jump.
  let before = await zoom();
  await page.mouse.wheel(0, -100);
  await expect.poll(zoom).not.toBe(before);
  const notch = (await zoom()) / before;
  expect(notch).toBeGreaterThan(1.05);
  expect(notch).toBeLessThan(1.25);

  // Trackpad scrolling: many small deltas, each a small step.
  before = await zoom();
  await page.mouse.wheel(0, -4);
  await expect.poll(zoom).not.toBe(before);
  expect((await zoom()) / before).toBeLessThan(1.02);

  // A pinch (ctrlKey) zooms out on a positive delta; the image pixel under the cursor stays there.
  before = await zoom();
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, 10);
  await page.keyboard.up('Control');
  await expect.poll(zoom).toBeLessThan(before);
  const after = await imagePoint(page, 100, 60);
  expect(Math.abs(after.x - at.x)).toBeLessThan(2);
  expect(Math.abs(after.y - at.y)).toBeLessThan(2);
});

test('a run of single-tile images has an ETA from its first image, from the speed of the run before', async ({ page }) => {
  await openApp(page);
  // Three 128x128 crops: each is one tile. Test-time augmentation (8 passes) makes each take long enough to watch.
  await dropFiles(page, [dsbCrop(0, 0, 128, 'a.png'), dsbCrop(128, 0, 128, 'b.png'), dsbCrop(0, 128, 128, 'c.png')]);
  await expect(page.getByTestId('image-item')).toHaveCount(3);
  await page.getByTestId('tta-toggle').check();
  await page.getByTestId('segment-current').click();
  await expect(page.getByTestId('badge-segmented')).toHaveCount(1);

  // "All" segments the two others; the first of them already has an ETA (the tiles give none: one tile each).
  await page.getByTestId('segment-all').click();
  const first = page.locator('[data-testid="segment-progress"][data-index="1"]');
  await expect(first).toBeVisible();
  await expect(first).toContainText(/ETA \d+ s/);
  await expect(page.getByTestId('status-run')).toContainText(/image 1\/2 · .*\d+ s left/);
  await expect(page.getByTestId('badge-segmented')).toHaveCount(3);
});
