import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { decode } from 'fast-png';
import { unzipSync } from 'fflate';
import { watchConsole } from './console';
import { dropFiles, dsbImage, DSB_ID, labelsTiff16 } from './fixtures/appFiles';
import { expect, test } from './guard';

// A new user's session: drop a real nuclei image and a 16-bit TIFF, segment on the WASM backend, paint,
// undo, redo, export everything as a ZIP and check every file in it.

async function openApp(page: Page): Promise<void> {
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('backend-status')).toHaveAttribute('data-status', 'ready');
  await expect(page.getByTestId('empty-state')).toBeVisible();
}

async function labelCounts(page: Page): Promise<{ background: number; foreground: number }> {
  const el = page.getByTestId('label-counts');
  return { background: Number(await el.getAttribute('data-background')), foreground: Number(await el.getAttribute('data-foreground')) };
}

async function strokeAcross(page: Page, from: [number, number], to: [number, number]): Promise<void> {
  const box = (await page.getByTestId('viewer').boundingBox())!;
  await page.mouse.move(box.x + box.width * from[0], box.y + box.height * from[1]);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * to[0], box.y + box.height * to[1], { steps: 12 });
  await page.mouse.up();
}

test('drop, segment, paint, undo/redo and export all as ZIP', async ({ page }) => {
  const console = watchConsole(page);
  await openApp(page);
  const tiff = labelsTiff16();
  await dropFiles(page, [dsbImage(), tiff]);

  const items = page.getByTestId('image-item');
  await expect(items).toHaveCount(2);
  await expect(items.nth(0)).toContainText('256×256 · 8-bit grey');
  await expect(items.nth(1)).toContainText('nuclei-labels-16bit.tif');
  await expect(items.nth(1)).toContainText('96×80 · 16-bit grey');
  await expect(items.nth(0)).toHaveAttribute('aria-selected', 'true');

  // Segment both images in the worker; progress shows while it runs, and both get the badge.
  const segmentAll = page.getByTestId('segment-all');
  await expect(segmentAll).toBeEnabled();
  await segmentAll.click();
  await expect(page.getByTestId('badge-segmented')).toHaveCount(2);
  await expect(page.getByTestId('status-tile')).toContainText('tile');
  const objects = page.getByTestId('object-count');
  // The plain objects (threshold 0.5 and connected components, `segment --plain`): the mask checks below need them.
  await page.getByTestId('post-processing-plain').click();
  await expect(objects).toHaveAttribute('data-fresh', 'true');
  const maskPixels = Number(await page.getByTestId('mask-pixels').getAttribute('data-value'));
  const objectCount = Number(await objects.getAttribute('data-value'));

  // The cursor readout shows position, raw value and probability.
  const box = (await page.getByTestId('viewer').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await expect(page.getByTestId('readout-probability')).toHaveText(/^\d\.\d{3}$/);

  // One stroke = one undo step; counts come back exactly.
  await page.getByTestId('tool-brush').click();
  await strokeAcross(page, [0.35, 0.4], [0.65, 0.55]);
  const painted = await labelCounts(page);
  expect(painted.foreground).toBeGreaterThan(100);
  await expect(page.getByTestId('badge-labelled')).toHaveCount(1);
  await page.keyboard.press('Control+z');
  await expect.poll(() => labelCounts(page)).toEqual({ background: 0, foreground: 0 });
  await page.keyboard.press('Control+Shift+z');
  await expect.poll(() => labelCounts(page)).toEqual(painted);
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+y');
  await expect.poll(() => labelCounts(page)).toEqual(painted);

  // Export all as ZIP and check every file.
  const downloadPromise = page.waitForEvent('download');
  await page.getByTestId('export-zip').click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toBe('unet-studio-export.zip');
  const zip = unzipSync(new Uint8Array(readFileSync(await download.path())));
  const names = Object.keys(zip).sort();
  const expected = [
    ...['mask', 'labels', 'prob', 'preview', 'painted'].map((k) => `${DSB_ID}_${k}.png`),
    ...['mask', 'labels', 'prob', 'preview'].map((k) => `nuclei-labels-16bit_${k}.png`),
    ...[DSB_ID, 'nuclei-labels-16bit'].flatMap((base) => [`${base}_objects.csv`, `${base}_RoiSet.zip`]),
  ].sort();
  expect(names).toEqual(expected);
  for (const name of names.filter((n) => n.endsWith('.png'))) {
    const png = decode(zip[name]);
    const [w, h] = name.startsWith(DSB_ID) ? [256, 256] : [96, 80];
    expect([name, png.width, png.height]).toEqual([name, w, h]);
  }
  const mask = decode(zip[`${DSB_ID}_mask.png`]);
  const labels = decode(zip[`${DSB_ID}_labels.png`]);
  const prob = decode(zip[`${DSB_ID}_prob.png`]);
  const paintedPng = decode(zip[`${DSB_ID}_painted.png`]);
  expect(labels.depth).toBe(16);
  // Counted in plain loops: one expect() per pixel would take minutes.
  let on = 0;
  let notBinary = 0;
  let disagreeLabels = 0;
  let maxLabel = 0;
  let disagreeProb = 0;
  let paintedFg = 0;
  for (let i = 0; i < 256 * 256; i++) {
    if (mask.data[i] !== 0 && mask.data[i] !== 255) notBinary++;
    if (mask.data[i] === 255) on++;
    if ((mask.data[i] === 255) !== (labels.data[i] > 0)) disagreeLabels++;
    maxLabel = Math.max(maxLabel, labels.data[i]);
    // Minimum size 0: the mask is exactly probability >= 0.5, which the 8-bit map keeps as >= 128.
    if ((prob.data[i] >= 128) !== (mask.data[i] === 255)) disagreeProb++;
    if (paintedPng.data[i] === 2) paintedFg++;
  }
  expect(notBinary).toBe(0);
  expect(disagreeLabels).toBe(0);
  expect(on).toBe(maskPixels);
  expect(maxLabel).toBe(objectCount);
  expect(disagreeProb).toBe(0);
  expect(paintedFg).toBe(painted.foreground);
  expect(console.errors).toEqual([]);
});

test('unreadable files each get a message naming them and never remove loaded images', async ({ page }) => {
  await openApp(page);
  const good = dsbImage();
  await dropFiles(page, [good]);
  await expect(page.getByTestId('image-item')).toHaveCount(1);

  await dropFiles(page, [
    { name: 'empty.png', bytes: new Uint8Array(0) },
    { name: 'cut-off.png', bytes: good.bytes.slice(0, 400) },
    { name: 'notes.tif', bytes: new TextEncoder().encode('Plate 3, well B4: nuclei look fine.\n') },
  ]);
  const errors = page.getByTestId('toast-error');
  await expect(errors.filter({ hasText: 'empty.png' })).toContainText('empty');
  await expect(errors.filter({ hasText: 'cut-off.png' })).toContainText('truncated');
  await expect(errors.filter({ hasText: 'notes.tif' })).toContainText('text file');
  await expect(page.getByTestId('image-item')).toHaveCount(1);
  await expect(page.getByTestId('status-text')).toContainText('3 files could not be read');
  await expect(page.getByTestId('viewer')).toBeVisible();
});
