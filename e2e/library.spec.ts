import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { decode, encode } from 'fast-png';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { watchConsole } from './console';
import { dsbCrop } from './fixtures/appFiles';
import { dropFiles, openApp } from './helpers';
import { expect, test } from './guard';

/*
 * The model library and per-image models: bad model files are refused with nothing changed, a good one
 * joins the library; a session with an EM image and a nuclei image segments each with its own model and
 * exports both in one ZIP.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const nucleiDir = path.resolve(here, '../public/models/nuclei');
const emImages = path.resolve(here, '../../shared/data/isbi2012-em/images');
/** The library before any import: the shipped models of public/models/index.json and the untrained U-Net. */
const LISTED = (JSON.parse(readFileSync(path.resolve(here, '../public/models/index.json'), 'utf8')) as { models: unknown[] }).models.length + 1;

function shippedNuclei(): Record<string, Uint8Array> {
  const read = (name: string) => new Uint8Array(readFileSync(path.join(nucleiDir, name)));
  return { 'model.json': read('model.json'), 'group1-shard1of1.bin': read('group1-shard1of1.bin'), 'model-card.json': read('model-card.json') };
}

/** A crop of ISBI 2012 EM slice 0 (8-bit grey PNG). */
function emCrop(size: number): { name: string; bytes: Uint8Array } {
  const png = decode(readFileSync(path.join(emImages, '0.png')));
  const data = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) data[y * size + x] = png.data[((100 + y) * png.width + 100 + x) * png.channels];
  return { name: 'em-slice0.png', bytes: encode({ width: size, height: size, data, channels: 1, depth: 8 }) };
}

async function importFiles(page: Page, files: readonly { name: string; bytes: Uint8Array }[]): Promise<void> {
  await page.getByTestId('library-import-input').setInputFiles(files.map((f) => ({ name: f.name, mimeType: 'application/octet-stream', buffer: Buffer.from(f.bytes) })));
}

async function modelReady(page: Page, name: string): Promise<void> {
  await expect(page.getByTestId('model-facts')).toHaveAttribute('data-model-name', name);
}

test('corrupted and malicious model ZIPs are refused with a clear message and nothing changed; a good one joins the library', async ({ page }) => {
  const console = watchConsole(page);
  await openApp(page);
  await modelReady(page, 'nuclei');
  await page.getByTestId('model-library').locator('summary').click();
  const items = page.getByTestId('library-item');
  await expect(items).toHaveCount(LISTED);

  const good = shippedNuclei();
  const card = JSON.parse(new TextDecoder().decode(good['model-card.json'])) as { architecture: { depth: number } };
  const badCases: [string, Record<string, Uint8Array> | Uint8Array, RegExp][] = [
    ['truncated.zip', { ...good, 'group1-shard1of1.bin': good['group1-shard1of1.bin'].subarray(0, 4096) }, /too short/],
    ['traversal.zip', { ...good, '../../evil.sh': strToU8('#!/bin/sh\nrm -rf ~\n') }, /climbs out of its folder/],
    ['broken-json.zip', { ...good, 'model.json': strToU8('{"modelTopology": {"class_name": ') }, /not valid JSON/],
    ['wrong-shapes.zip', { ...good, 'model-card.json': strToU8(JSON.stringify({ ...card, architecture: { ...card.architecture, depth: card.architecture.depth + 1 } })) }, /shape|weight/],
    ['garbage.zip', strToU8('PK\u0003\u0004 this is not really a ZIP'), /ZIP/],
  ];
  for (const [name, content, message] of badCases) {
    const bytes = content instanceof Uint8Array ? content : zipSync(content);
    await importFiles(page, [{ name, bytes }]);
    const toast = page.getByTestId('toast-error').filter({ hasText: name });
    await expect(toast).toContainText(message);
    await expect(toast).toContainText('Nothing was changed');
    await expect(items).toHaveCount(LISTED);
    await modelReady(page, 'nuclei');
    await expect(page.getByTestId('model-select')).toHaveValue('nuclei');
  }

  // The same files, well-formed, picked loose (model.json + weights + card): a kept model, selected.
  await importFiles(page, Object.entries(good).map(([name, bytes]) => ({ name, bytes })));
  await expect(items).toHaveCount(LISTED + 1);
  // Listed under its card's name (the shipped one is listed as "Nuclei (fluorescence, DSB 2018)").
  const imported = page.locator('[data-testid="library-item"][data-kept="true"]');
  await expect(imported).toHaveAttribute('data-name', 'nuclei');
  await expect(imported).toHaveAttribute('data-selected', 'true');
  await expect(imported.getByTestId('library-facts')).toContainText('imported from model.json, group1-shard1of1.bin, model-card.json');
  // Renamed, it keeps its weights; deleted, the list is as before.
  await imported.getByTestId('library-rename').click();
  await page.getByTestId('library-rename-input').fill('my nuclei');
  await page.getByTestId('library-rename-input').press('Enter');
  await expect(items.filter({ hasText: 'my nuclei' })).toHaveCount(1);
  page.once('dialog', (d) => void d.accept());
  await items.filter({ hasText: 'my nuclei' }).getByTestId('library-delete').click();
  await expect(items).toHaveCount(LISTED);
  await modelReady(page, 'nuclei');
  expect(console.errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
});

test('an EM image and a nuclei image are each segmented with their own model and exported together in one ZIP', async ({ page }) => {
  await openApp(page);
  await modelReady(page, 'nuclei');
  const nuclei = dsbCrop(60, 150, 64, 'nuclei-crop.png');
  await dropFiles(page, [nuclei]);
  await expect(page.getByTestId('image-item')).toHaveCount(1);
  await dropFiles(page, [emCrop(80)]);
  const items = page.getByTestId('image-item');
  await expect(items).toHaveCount(2);

  // The EM image gets the EM model; the nuclei image keeps nuclei.
  await items.nth(1).click();
  await page.getByTestId('model-select').selectOption('em-membranes');
  await modelReady(page, 'em-membranes');
  await expect(items.nth(1).getByTestId('badge-model')).toHaveAttribute('data-model-id', 'em-membranes');
  await items.nth(0).click();
  await modelReady(page, 'nuclei');
  await expect(items.nth(0).getByTestId('badge-model')).toHaveAttribute('data-model-id', 'nuclei');

  await page.getByTestId('segment-all').click();
  await expect(page.getByTestId('badge-segmented')).toHaveCount(2);
  // The selected model is nuclei; the EM image still counts as segmented (with its own model).
  await expect(page.getByTestId('model-select')).toHaveValue('nuclei');

  const downloadPromise = page.waitForEvent('download');
  await page.getByTestId('export-zip').click();
  const zip = unzipSync(new Uint8Array(readFileSync(await (await downloadPromise).path())));
  const sizes: Record<string, number> = { 'nuclei-crop': 64, 'em-slice0': 80 };
  for (const [base, side] of Object.entries(sizes)) {
    for (const kind of ['mask', 'labels', 'prob', 'preview']) {
      const name = `${base}_${kind}.png`;
      expect(Object.keys(zip), name).toContain(name);
      const png = decode(zip[name]);
      expect([png.width, png.height], name).toEqual([side, side]);
    }
  }
  // The two masks come from two different models: EM membranes are not nuclei.
  const emMask = decode(zip['em-slice0_mask.png']).data;
  let foreground = 0;
  for (const v of emMask) if (v > 0) foreground++;
  expect(foreground).toBeGreaterThan(0);
  expect(foreground).toBeLessThan(80 * 80);
  await expect(page.getByTestId('toast-warning').filter({ hasText: 'Not segmented yet' })).toHaveCount(0);
});
