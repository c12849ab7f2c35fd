import { readFileSync } from 'node:fs';
import { encode } from 'fast-png';
import { unzipSync } from 'fflate';
import { defaultPostProcessing, parsePostProcessing } from '../src/image/postProcessing';
import { watchConsole } from './console';
import { dsbCrop, isbiCrop } from './fixtures/appFiles';
import { expect, test } from './guard';
import { appMetrics, cliFiles, downloadZip, dropFiles, evaluateWithCli, expectSameMetrics, imagePoint, openApp } from './helpers';

// Objects in the app (issue 10 items 2, 5, 6): post-processing settings re-label without the model, the
// measurement table sorts and locates, the export ZIP holds the CSV and the ImageJ RoiSet, and the metrics
// against a ground-truth image equal those of `npm run evaluate` on the same files.

const SIZE = 96;

test('objects: settings re-label, the table sorts and locates, the ZIP has CSV + RoiSet, evaluate equals the CLI', async ({ page }) => {
  const console = watchConsole(page);
  // A crop with touching nuclei that the default watershed splits (10 objects, 8 without splitting, in Node).
  const crop = dsbCrop(64, 144, SIZE, 'nuclei-objects.png');
  const truthPng = encode({ width: SIZE, height: SIZE, data: crop.instances, channels: 1, depth: 16 });
  // The CLI runs in Node while the browser works: the nuclei model, tfjs on WASM, the shared defaults.
  const files = cliFiles(crop, truthPng);
  const cli = evaluateWithCli(['--model', 'public/models/nuclei', '--images', files.images, '--labels', files.labels, '--task', 'nuclei', '--labels-format', 'instance', '--engine', 'tfjs']);

  await openApp(page);
  await dropFiles(page, [crop]);
  await page.getByTestId('segment-current').click();
  const count = page.getByTestId('object-count');
  await expect(count).not.toHaveAttribute('data-value', '');
  const objects = Number(await count.getAttribute('data-value'));
  expect(objects).toBeGreaterThan(3);
  // The app starts from the nuclei card's post-processing (its threshold 0.4), as segment/evaluate do.
  const card = JSON.parse(readFileSync(new URL('../public/models/nuclei/model-card.json', import.meta.url), 'utf8')) as { postProcessing?: unknown };
  const cardSettings = parsePostProcessing(card.postProcessing, 'foreground');
  expect(cardSettings.threshold).toBe(0.4);
  await expect(page.getByTestId('post-processing')).toHaveAttribute('data-settings', JSON.stringify(cardSettings));
  const status = await page.getByTestId('status-text').textContent();

  // Settings re-label the cached probability: nothing survives a huge minimum size; the model's settings come back.
  await page.getByTestId('min-size').fill('100000');
  await expect(count).toHaveAttribute('data-value', '0');
  await expect(page.getByTestId('post-processing-source')).toHaveText('changed');
  await page.getByTestId('post-processing-reset').click();
  await expect(count).toHaveAttribute('data-value', String(objects));
  await page.getByTestId('split-watershed').uncheck();
  await expect(count).not.toHaveAttribute('data-value', String(objects));
  await page.getByTestId('post-processing-reset').click();
  await expect(count).toHaveAttribute('data-value', String(objects));
  await expect(page.getByTestId('status-text')).toHaveText(status ?? '');

  // The table: one row per object, sorted by area (largest first on the second click).
  const table = page.getByTestId('measure-table');
  await expect(table).toHaveAttribute('data-rows', String(objects));
  await expect(page.getByTestId('measure-row')).toHaveCount(objects);
  // Thirteen columns scroll inside the panel; the page never widens.
  const fit = await page.evaluate(() => ({
    table: document.querySelector('.table-scroll')!.getBoundingClientRect().right,
    panel: document.querySelector('aside.panel')!.getBoundingClientRect().right,
    page: document.documentElement.scrollWidth,
    window: window.innerWidth,
  }));
  expect(fit.table).toBeLessThanOrEqual(fit.panel);
  expect(fit.page).toBeLessThanOrEqual(fit.window);
  await page.getByTestId('sort-area').click();
  await page.getByTestId('sort-area').click();
  await expect(page.getByTestId('sort-area')).toHaveAttribute('aria-sort', 'descending');
  const sorted = await table.locator('td[data-col="area"]').evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-value'))));
  expect(sorted).toEqual([...sorted].sort((a, b) => b - a));

  // Clicking a row zooms to that object, centres it and outlines it.
  const fitZoom = Number(await page.getByTestId('viewer').getAttribute('data-zoom'));
  const row = page.getByTestId('measure-row').nth(2);
  const id = await row.getAttribute('data-id');
  // The view centres the object's bounding box (the whole object in view), which for an irregular or
  // border-cut object is not its centroid.
  const cell = async (col: string) => Number(await row.locator(`td[data-col="${col}"]`).getAttribute('data-value'));
  const cx = (await cell('bboxX')) + (await cell('bboxWidth')) / 2;
  const cy = (await cell('bboxY')) + (await cell('bboxHeight')) / 2;
  await row.click();
  await expect(page.getByTestId('object-highlight')).toHaveAttribute('data-object-id', id ?? '');
  await expect(row).toHaveAttribute('aria-selected', 'true');
  expect(Number(await page.getByTestId('viewer').getAttribute('data-zoom'))).toBeGreaterThan(fitZoom);
  const box = (await page.getByTestId('viewer').boundingBox())!;
  // The box centre is in continuous coordinates; imagePoint takes a pixel index and adds half a pixel.
  const at = await imagePoint(page, cx - 0.5, cy - 0.5);
  expect(Math.abs(at.x - (box.x + box.width / 2))).toBeLessThan(2);
  expect(Math.abs(at.y - (box.y + box.height / 2))).toBeLessThan(2);

  await page.screenshot({ path: test.info().outputPath('located-object.png') });

  // "This image": the ZIP holds the measurement CSV (one line per object) and a RoiSet of ImageJ ROIs.
  const zip = await downloadZip(page, 'export-current');
  const csv = new TextDecoder().decode(zip['nuclei-objects_objects.csv']).trim().split('\n');
  expect(csv[0]).toBe('id,area,centroid_x,centroid_y,bbox_x,bbox_y,bbox_width,bbox_height,mean_intensity,min_intensity,max_intensity,eccentricity,perimeter');
  expect(csv).toHaveLength(objects + 1);
  const csvAreas = csv.slice(1).map((line) => Number(line.split(',')[1]));
  expect(csvAreas.sort((a, b) => b - a)).toEqual(sorted);
  const rois = unzipSync(zip['nuclei-objects_RoiSet.zip']);
  expect(Object.keys(rois)).toHaveLength(objects);
  for (const bytes of Object.values(rois)) expect(new TextDecoder().decode(bytes.slice(0, 4))).toBe('Iout');

  // Ground truth of the wrong size: one clear message, nothing else changes.
  const input = page.getByTestId('ground-truth-input');
  await input.setInputFiles({ name: 'small.png', mimeType: 'image/png', buffer: Buffer.from(encode({ width: 10, height: 10, data: new Uint8Array(100), channels: 1, depth: 8 })) });
  await expect(page.getByTestId('toast-error').filter({ hasText: 'small.png not used: it is 10x10' })).toBeVisible();
  await page.getByTestId('toast-error').getByRole('button').click();
  await expect(page.getByTestId('metrics')).toHaveCount(0);

  // The real ground truth: the app's metrics equal the CLI's on the same files.
  await input.setInputFiles({ name: 'nuclei-objects-truth.png', mimeType: 'image/png', buffer: Buffer.from(truthPng) });
  await expect(page.getByTestId('ground-truth-format')).toHaveValue('instance');
  await expect(page.getByTestId('metrics')).toHaveAttribute('data-fresh', 'true');
  const inApp = await appMetrics(page);
  const fromCli = await cli;
  test.info().annotations.push({ type: 'metrics', description: JSON.stringify({ app: inApp, cli: fromCli }) });
  await page.getByTestId('evaluation-panel').scrollIntoViewIfNeeded();
  await page.screenshot({ path: test.info().outputPath('evaluated.png') });
  expectSameMetrics(inApp, fromCli, objects);
  expect(inApp.iou).toBeGreaterThan(0.5);
  expect(console.errors).toEqual([]);
});

test('EM: cells from membranes, and the membrane metrics equal the CLI\'s', async ({ page }) => {
  const console = watchConsole(page);
  const crop = isbiCrop(22, 200, 200, SIZE);
  const files = cliFiles(crop, crop.labels);
  const cli = evaluateWithCli(['--model', 'public/models/em-membranes', '--images', files.images, '--labels', files.labels, '--task', 'membranes', '--labels-format', 'binary', '--membrane-value', '0', '--engine', 'tfjs']);

  await openApp(page);
  await dropFiles(page, [crop]);
  await page.getByTestId('model-select').selectOption('em-membranes');
  await expect(page.getByTestId('model-facts')).toHaveAttribute('data-model-name', 'em-membranes');
  await expect(page.getByTestId('post-processing')).toHaveAttribute('data-settings', JSON.stringify(defaultPostProcessing('cells')));
  await expect(page.getByTestId('objects-kind')).toHaveText('EM cells');
  await page.getByTestId('segment-current').click();
  const count = page.getByTestId('object-count');
  await expect(count).toHaveAttribute('data-fresh', 'true');
  const cells = Number(await count.getAttribute('data-value'));
  expect(cells).toBeGreaterThan(1);
  // Every pixel belongs to a cell: the areas in the table (one page: ISBI cells are large) add up to the crop.
  expect(cells).toBeLessThanOrEqual(100);
  // The table's rows arrive after the count (a deferred render), so wait for them rather than read once.
  const areaSum = async (): Promise<number> => {
    const areas = await page.getByTestId('measure-table').locator('td[data-col="area"]').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
    return areas.reduce((a, b) => a + b, 0);
  };
  await expect.poll(areaSum).toBe(SIZE * SIZE);

  await page.getByTestId('ground-truth-input').setInputFiles({ name: 'em-truth.png', mimeType: 'image/png', buffer: Buffer.from(crop.labels) });
  await expect(page.getByTestId('ground-truth-format')).toHaveValue('binary');
  const inApp = await appMetrics(page);
  const fromCli = await cli;
  test.info().annotations.push({ type: 'metrics', description: JSON.stringify({ app: inApp, cli: fromCli }) });
  // As for nuclei: a pixel flipped by the ~1e-5 browser/Node difference moves pixel metrics by ~1e-4 and
  // the Rand errors (pair counts over 9216 pixels) by well under 1e-3.
  for (const k of ['pixelError', 'randError', 'maskRandError', 'iou', 'dice']) expect(Math.abs(inApp[k] - fromCli[k]), k).toBeLessThanOrEqual(1e-3);
  expect(console.errors).toEqual([]);
});
