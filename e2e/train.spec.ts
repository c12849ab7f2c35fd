import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import { watchConsole } from './console';
import { dropFiles, dsbImage } from './fixtures/appFiles';

async function stroke(page: Page, from: [number, number], to: [number, number]): Promise<void> {
  const box = (await page.getByTestId('viewer').boundingBox())!;
  await page.mouse.move(box.x + box.width * from[0], box.y + box.height * from[1]);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * to[0], box.y + box.height * to[1], { steps: 10 });
  await page.mouse.up();
}

test('fine-tune the shipped model on painted labels in the worker, then segment and download it', async ({ page }) => {
  const console = watchConsole(page);
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('backend-status')).toHaveAttribute('data-status', 'ready');
  const facts = page.getByTestId('model-facts');
  await expect(facts).toHaveAttribute('data-model-name', /.+/);
  const stepsBefore = Number(await facts.getAttribute('data-trained'));

  await dropFiles(page, [dsbImage()]);
  await expect(page.getByTestId('image-item')).toHaveCount(1);
  const train = page.getByTestId('train-button');
  // Nothing painted yet: training is not offered.
  await expect(train).toBeDisabled();

  await page.getByTestId('tool-brush').click();
  await page.getByTestId('class-2').click();
  await stroke(page, [0.3, 0.3], [0.4, 0.35]);
  await page.getByTestId('class-1').click();
  await stroke(page, [0.6, 0.6], [0.8, 0.7]);
  await expect(train).toBeEnabled();

  await page.getByTestId('train-steps').fill('3');
  await train.click();
  await expect(page.getByTestId('status-text')).toContainText('Fine-tuned for 3 steps', { timeout: 120_000 });
  await expect(facts).toHaveAttribute('data-trained', String(stepsBefore + 3));
  await expect(facts).toHaveAttribute('data-model-name', /\(fine-tuned\)$/);

  // The fine-tuned model segments (its predictions are new, not the cache of the old weights).
  await page.getByTestId('segment-current').click();
  await expect(page.getByTestId('badge-segmented')).toHaveCount(1);

  const downloadPromise = page.waitForEvent('download');
  await page.getByTestId('download-model').click();
  const download = await downloadPromise;
  const zip = unzipSync(new Uint8Array(readFileSync(await download.path())));
  expect(Object.keys(zip).sort()).toEqual(['group1-shard1of1.bin', 'model-card.json', 'model.json']);
  const card = JSON.parse(new TextDecoder().decode(zip['model-card.json'])) as { trainedSteps: number };
  expect(card.trainedSteps).toBe(stepsBefore + 3);
  const modelJson = JSON.parse(new TextDecoder().decode(zip['model.json'])) as { weightsManifest: { weights: { shape: number[] }[] }[] };
  const floats = modelJson.weightsManifest[0].weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
  expect(zip['group1-shard1of1.bin'].byteLength).toBe(floats * 4);
  expect(console.errors).toEqual([]);
});
