import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { strToU8, zipSync } from 'fflate';
import { badImageCases } from '../src/image/fixtures/badImages';
import { dsbCrop, type TestFile } from './fixtures/appFiles';
import { dropFiles, openApp, paintStroke } from './helpers';
import { expect, test } from './guard';

/*
 * Issue 12, bad input: one page session holds a good image with a segmentation and a painted stroke, then
 * gets every hostile file of the corpus (src/image/fixtures/badImages.ts) in one drop and every hostile model
 * through the library's import. Each file gets its own clear message (or loads as it should), and the
 * image, its labels, its result and the selected model are exactly as they were.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const nucleiDir = path.resolve(here, '../public/models/nuclei');

function shippedNuclei(): Record<string, Uint8Array> {
  const read = (name: string) => new Uint8Array(readFileSync(path.join(nucleiDir, name)));
  return { 'model.json': read('model.json'), 'group1-shard1of1.bin': read('group1-shard1of1.bin'), 'model-card.json': read('model-card.json') };
}

async function labelCounts(page: Page): Promise<{ background: number; foreground: number }> {
  const el = page.getByTestId('label-counts');
  return { background: Number(await el.getAttribute('data-background')), foreground: Number(await el.getAttribute('data-foreground')) };
}

/** An 8x4 JPEG made by the browser (left half white, right half black) with an EXIF orientation 6 (rotate 90° clockwise). */
async function exifRotatedJpeg(page: Page): Promise<TestFile> {
  const plain = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(8, 4);
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, 8, 4);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, 4, 4);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 1 });
    return Array.from(new Uint8Array(await blob.arrayBuffer()));
  });
  // APP1 "Exif": a big-endian TIFF header and one IFD entry, Orientation (0x0112, SHORT) = 6.
  const exif = [
    0xff, 0xe1, 0x00, 0x22, ...Array.from('Exif\0\0', (c) => c.charCodeAt(0)),
    0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08,
    0x00, 0x01, 0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,
  ];
  return { name: 'camera-rotated.jpg', bytes: Uint8Array.from([...plain.slice(0, 2), ...exif, ...plain.slice(2)]) };
}

test('a corpus of hostile images and models: each gets its own message, and the session is intact', async ({ page }) => {
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
  await openApp(page);
  const good = dsbCrop(60, 150, 64, 'good.png');
  await dropFiles(page, [good]);
  const items = page.getByTestId('image-item');
  await expect(items).toHaveCount(1);
  await page.getByTestId('segment-current').click();
  await expect(items.nth(0).getByTestId('badge-segmented')).toHaveCount(1);
  await expect(page.getByTestId('object-count')).toHaveAttribute('data-value', /^\d+$/);
  const objectsBefore = await page.getByTestId('object-count').getAttribute('data-value');
  await page.getByTestId('tool-brush').click();
  await paintStroke(page, [10, 10], [50, 40]);
  const painted = await labelCounts(page);
  expect(painted.foreground).toBeGreaterThan(50);

  // One drop: every hostile image, the good image again, and a JPEG with an EXIF orientation.
  const cases = badImageCases();
  const jpeg = await exifRotatedJpeg(page);
  await dropFiles(page, [...cases.map((c) => ({ name: c.name, bytes: c.bytes })), good, jpeg]);
  const refused = cases.filter((c) => c.outcome.kind === 'refused');
  const loaded = cases.filter((c) => c.outcome.kind === 'loads');
  const pages = loaded.reduce((n, c) => n + (c.outcome.kind === 'loads' ? c.outcome.pages : 0), 0);
  const status = page.getByTestId('status-text');
  await expect(status).toContainText(`Loaded ${pages + 1} images (1 file was already loaded); ${refused.length} files could not be read`);
  await expect(items).toHaveCount(1 + pages + 1);

  const errors = page.getByTestId('toast-error');
  for (const c of refused) {
    if (c.outcome.kind !== 'refused') continue;
    const toast = errors.filter({ hasText: c.name });
    await expect(toast, c.name).toHaveCount(1);
    await expect(toast, c.name).toContainText(c.outcome.message);
  }
  for (const c of loaded) {
    if (c.outcome.kind !== 'loads') continue;
    const name = c.outcome.pages > 1 ? `${c.name} #${c.outcome.pages}` : c.name;
    const item = page.locator('[data-testid="image-item"]').filter({ has: page.getByText(name, { exact: true }) });
    await expect(item, c.name).toHaveCount(1);
    await expect(item.locator('.item-meta'), c.name).toContainText(`${c.outcome.width}×${c.outcome.height}`);
  }
  // The browser applied the EXIF orientation: 8x4 stored, 4x8 shown.
  await expect(items.filter({ hasText: 'camera-rotated.jpg' }).locator('.item-meta')).toContainText('4×8');
  // A name with markup is text: no element was made from it, no script ran.
  const htmlName = loaded.find((c) => c.name.startsWith('<img'))!.name;
  await expect(page.locator(`[data-testid="image-item"][data-name='${htmlName}']`)).toHaveCount(1);
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  expect(dialogs).toBe(0);

  // Tiny and odd images segment: 1x1 and 3x2 through the mirrored context, NaN/Inf with finite input.
  for (const name of ['one-pixel.png', 'three-by-two.png', 'nan-inf.tif', 'zeros-16bit.png']) {
    const item = items.filter({ has: page.getByText(name, { exact: true }) });
    await item.click();
    await page.getByTestId('segment-current').click();
    await expect(item.getByTestId('badge-segmented'), name).toHaveCount(1);
  }
  // No new error came from segmenting them; the refusals are all still there (errors never go by themselves).
  const errorLines = async () => (await errors.allTextContents()).join('\n').match(/Could not open /g)?.length ?? 0;
  expect(await errorLines()).toBe(refused.length);

  // Hostile models through the library's import: refused, the library and the selection unchanged.
  await page.getByTestId('model-library').locator('summary').click();
  const library = page.getByTestId('library-item');
  const libraryCount = await library.count();
  const model = shippedNuclei();
  const manifest = JSON.parse(new TextDecoder().decode(model['model.json'])) as { weightsManifest: { weights: { shape: number[] }[] }[] };
  manifest.weightsManifest[0].weights[0].shape = [5, 5, 1, 16];
  const card = JSON.parse(new TextDecoder().decode(model['model-card.json'])) as { architecture: Record<string, unknown> };
  const badModels: [string, Record<string, Uint8Array>, RegExp][] = [
    ['wrong-shapes.zip', { ...model, 'model.json': strToU8(JSON.stringify(manifest)) }, /shape/],
    ['short-weights.zip', { ...model, 'group1-shard1of1.bin': model['group1-shard1of1.bin'].subarray(0, 1000) }, /too short/],
    ['climbs-out.zip', { ...model, '../x': strToU8('x') }, /climbs out of its folder/],
    ['rgb-model.zip', { ...model, 'model-card.json': strToU8(JSON.stringify({ ...card, architecture: { ...card.architecture, inChannels: 3 } })) }, /takes 3 input channel\(s\) but 1 are needed here/],
  ];
  for (const [name, files, message] of badModels) {
    await page.getByTestId('library-import-input').setInputFiles([{ name, mimeType: 'application/zip', buffer: Buffer.from(zipSync(files)) }]);
    const toast = errors.filter({ hasText: name });
    await expect(toast, name).toContainText(message);
    await expect(toast, name).toContainText('Nothing was changed');
  }
  await expect(library).toHaveCount(libraryCount);
  await expect(page.getByTestId('model-select')).toHaveValue('nuclei');

  // The session is as it was: the good image, its stroke and its result.
  const first = items.filter({ has: page.getByText('good.png', { exact: true }) });
  await expect(first).toHaveCount(1);
  await first.click();
  await expect.poll(() => labelCounts(page)).toEqual(painted);
  await expect(first.getByTestId('badge-segmented')).toHaveCount(1);
  await expect(first.getByTestId('badge-labelled')).toHaveCount(1);
  await expect(page.getByTestId('object-count')).toHaveAttribute('data-value', objectsBefore ?? '');
});
