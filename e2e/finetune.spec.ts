import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import { watchConsole } from './console';
import { dsbCrop } from './fixtures/appFiles';
import { dropFiles, openApp, paintStroke, probabilityAt, strokePlaces } from './helpers';
import { expect, test } from './guard';

/*
 * Fine-tuning as a user does it, on the WASM backend with a real 128x128 nuclei crop: paint both classes,
 * train with live curves and previews, segment and switch models while it trains (the worker's job queue
 * serves them between steps), Stop, and find the run as a new model whose weights give its prediction
 * after switching away and back.
 */

const CROP = dsbCrop(128, 128, 128);
const COPY = { ...dsbCrop(128, 128, 128, 'nuclei-crop-copy.png') };

async function selectImage(page: Page, index: number): Promise<void> {
  await page.getByTestId('image-item').nth(index).click();
  await expect(page.getByTestId('image-item').nth(index)).toHaveAttribute('aria-selected', 'true');
}

test('fine-tune: live curves and previews, segment and switch models while it trains, Stop, the tuned model stays', async ({ page }, testInfo) => {
  test.setTimeout(150_000);
  const console = watchConsole(page);
  await openApp(page);
  const facts = page.getByTestId('model-facts');
  await expect(facts).toHaveAttribute('data-model-name', 'nuclei');
  await dropFiles(page, [CROP, COPY]);
  await expect(page.getByTestId('image-item')).toHaveCount(2);
  await selectImage(page, 0);

  // The starting model's prediction, at a pixel inside a nucleus we will paint.
  const { nuclei, background } = strokePlaces(CROP);
  expect(nuclei.length).toBe(4);
  expect(background.length).toBe(5);
  const [px, py] = nuclei[0];
  await page.getByTestId('segment-current').click();
  await expect(page.getByTestId('badge-segmented')).toHaveCount(1);
  const parentP = await probabilityAt(page, px, py);

  // The recipe of the loaded model fills the settings; nothing painted yet: a clear message, no button.
  const settings = page.getByTestId('train-settings');
  await expect(page.getByTestId('train-steps')).toHaveValue((await settings.getAttribute('data-recipe-steps'))!);
  await expect(page.getByTestId('train-button')).toBeDisabled();
  await expect(page.getByTestId('train-check')).toContainText('Nothing to train on');

  // Strokes of both classes: four short ones on nuclei, four on background.
  await page.getByTestId('tool-brush').click();
  for (let k = 0; k < 3; k++) await page.keyboard.press('[');
  await page.getByTestId('class-2').click();
  for (const [x, y] of nuclei) await paintStroke(page, [x - 3, y], [x + 3, y]);
  await expect(page.getByTestId('train-check')).toContainText('Paint some background too');
  await page.getByTestId('class-1').click();
  for (const [x, y] of background.slice(0, 4)) await paintStroke(page, [x, y], [x + 6, y]);
  const split = page.getByTestId('split-line');
  await expect(split).toHaveAttribute('data-regions', '8');
  await expect(split).toContainText(/^[1-9] of 8 painted regions held out for validation/);

  // A long run (we stop it), a learning rate the user raised, a preview every 5 steps.
  await page.getByTestId('train-steps').fill('400');
  await page.getByTestId('train-lr').fill('0.001');
  await page.getByTestId('train-preview-every').selectOption('5');
  await page.getByTestId('train-button').click();
  const progress = page.getByTestId('train-progress');
  await expect(progress).toHaveAttribute('data-phase', 'training');

  // The plot receives points; a live preview arrives and the overlay under the cursor changes.
  const plot = page.getByTestId('train-plot');
  await expect.poll(async () => Number(await plot.getAttribute('data-points'))).toBeGreaterThan(2);
  await expect(plot.locator('canvas')).toHaveCount(1);
  await expect(progress).not.toHaveAttribute('data-preview-step', '');
  await expect.poll(() => probabilityAt(page, px, py)).not.toBe(parentP);
  // Hovering the plot shows the values under the cursor in its legend.
  await plot.scrollIntoViewIfNeeded();
  const over = (await plot.locator('.u-over').boundingBox())!;
  await page.mouse.move(over.x + over.width * 0.6, over.y + over.height / 2);
  await expect(plot.locator('.u-legend .u-value').nth(2)).toHaveText(/^\d+\.\d{4}$/);
  await page.screenshot({ path: testInfo.outputPath('app-during-training.png') });

  // "Preview now" re-predicts at the next step.
  const previewStep = Number(await progress.getAttribute('data-preview-step'));
  await page.getByTestId('train-preview-now').click();
  await expect.poll(async () => Number(await progress.getAttribute('data-preview-step'))).toBeGreaterThan(previewStep);

  // Painting goes on while it trains (the strokes join the next steps).
  const counts = page.getByTestId('label-counts');
  const backgroundBefore = Number(await counts.getAttribute('data-background'));
  await paintStroke(page, background[4], [background[4][0] + 6, background[4][1]]);
  await expect.poll(async () => Number(await counts.getAttribute('data-background'))).toBeGreaterThan(backgroundBefore);

  // A model switch while it trains: the other model loads between steps; then back to the parent.
  const select = page.getByTestId('model-select');
  await select.selectOption('em-membranes');
  await expect(facts).toHaveAttribute('data-model-name', 'em-membranes');
  await select.selectOption('nuclei');
  await expect(facts).toHaveAttribute('data-model-name', 'nuclei');

  // A segmentation while it trains is served between steps: the copy gets the parent's prediction.
  await selectImage(page, 1);
  const stepBefore = Number(await progress.getAttribute('data-step'));
  await page.getByTestId('segment-current').click();
  await expect(page.getByTestId('badge-segmented')).toHaveCount(2);
  await expect(progress).toBeVisible();
  await expect.poll(async () => Number(await progress.getAttribute('data-step'))).toBeGreaterThan(stepBefore);

  // Stop: the run keeps its best weights, reports its true step count and becomes a model.
  await selectImage(page, 0);
  await page.getByTestId('train-cancel').click();
  const result = page.getByTestId('train-result');
  await expect(result).toBeVisible();
  const stepsRun = Number(await result.getAttribute('data-steps'));
  const lastStep = Number(await plot.getAttribute('data-points'));
  expect(stepsRun).toBe(lastStep);
  expect(stepsRun).toBeLessThan(400);
  await expect(result).toContainText(`${stepsRun} of 400 steps (stopped)`);
  await expect(page.getByTestId('train-validation')).toContainText('held out, before');
  const kept = await result.getAttribute('data-kept');
  await result.scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('app-after-stop.png') });
  await expect(select.locator('option', { hasText: 'nuclei · tuned 1' })).toHaveCount(1);
  if (kept === 'start') await select.selectOption('nuclei~tuned-1');
  await expect(facts).toHaveAttribute('data-model-name', 'nuclei · tuned 1');
  await expect(page.getByTestId('tuning-facts')).toHaveAttribute('data-parent', 'nuclei');
  // The tuned model is kept in the model library, with its parent and run.
  await page.getByTestId('model-library').locator('summary').click();
  const keptItem = page.locator('[data-testid="library-item"][data-kept="true"]');
  await expect(keptItem).toHaveAttribute('data-name', 'nuclei · tuned 1');
  await expect(keptItem.getByTestId('library-facts')).toContainText('tuned from nuclei');
  await expect(keptItem.getByTestId('library-facts')).toContainText(/tuned on \d+ images?/);
  await page.getByTestId('model-library').locator('summary').click();
  if (kept === 'start') await page.getByTestId('segment-current').click();
  await expect(page.getByTestId('image-item').nth(0).getByTestId('badge-segmented')).toHaveCount(1);
  const tunedP = await probabilityAt(page, px, py);
  if (kept === 'tuned') expect(tunedP).not.toBe(parentP);

  // The parent is intact: its prediction of the copy (made during training) is what it predicted before.
  await select.selectOption('nuclei');
  await expect(facts).toHaveAttribute('data-model-name', 'nuclei');
  await selectImage(page, 1);
  expect(await probabilityAt(page, px, py)).toBe(parentP);

  // Away to the other model and back: the tuned weights, not a cache, give the tuned prediction.
  await select.selectOption('em-membranes');
  await expect(facts).toHaveAttribute('data-model-name', 'em-membranes');
  await select.selectOption('nuclei~tuned-1');
  await expect(facts).toHaveAttribute('data-model-name', 'nuclei · tuned 1');
  // Results are keyed by the weights revision: only trained weights differ from the parent's.
  if (kept === 'tuned') await expect(page.getByTestId('image-item').nth(1).getByTestId('badge-segmented')).toHaveCount(0);
  await page.getByTestId('segment-current').click();
  await expect(page.getByTestId('image-item').nth(1).getByTestId('badge-segmented')).toHaveCount(1);
  expect(await probabilityAt(page, px, py)).toBe(tunedP);

  // The download carries the fine-tune record.
  const downloadPromise = page.waitForEvent('download');
  await page.getByTestId('download-model').click();
  const zip = unzipSync(new Uint8Array(readFileSync(await (await downloadPromise).path())));
  const card = JSON.parse(new TextDecoder().decode(zip['model-card.json'])) as { name: string; fineTune: { parentId: string; steps: number } };
  expect(card.name).toBe('nuclei · tuned 1');
  expect(card.fineTune).toMatchObject({ parentId: 'nuclei', steps: stepsRun });

  // Discard: the session forgets the tuned model and goes back to its parent.
  await page.getByTestId('discard-model').click();
  await expect(facts).toHaveAttribute('data-model-name', 'nuclei');
  await expect(select.locator('option', { hasText: 'nuclei · tuned 1' })).toHaveCount(0);
  expect(console.errors).toEqual([]);
});
