import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decode, encode } from 'fast-png';
import { gpuErrors, watchConsole } from './console';
import { dataRoot, DSB_ID, dropFiles } from './fixtures/appFiles';
import { expect, test } from './guard';

/** A 64x64 crop of a real DSB nuclei image, as an 8-bit PNG. */
function nucleiCrop64(): { name: string; bytes: Uint8Array } {
  const png = decode(readFileSync(path.join(dataRoot, 'images', `${DSB_ID}.png`)));
  const channels = png.channels;
  const data = new Uint8Array(64 * 64);
  for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) data[y * 64 + x] = png.data[((150 + y) * png.width + 60 + x) * channels];
  return { name: 'crop64.png', bytes: encode({ width: 64, height: 64, data, channels: 1, depth: 8 }) };
}

test('a tiled segmentation in the worker on WebGPU matches the CPU backend', async ({ page }) => {
  const console = watchConsole(page);
  await page.goto('/?backend=webgpu');
  await expect(page.getByTestId('backend-name')).toHaveText('webgpu');
  // The small untrained U-Net keeps this quick on the SwiftShader adapter.
  await page.getByTestId('model-select').selectOption('random');
  await expect(page.getByTestId('model-facts')).toHaveAttribute('data-model-name', 'untrained');
  await expect(page.getByTestId('random-model-notice')).toBeVisible();

  await page.getByTestId('settings-button').click();
  await page.getByTestId('selftest-model-button').click();
  const result = page.getByTestId('selftest-result');
  await expect(result).toContainText('model on webgpu', { timeout: 120_000 });
  expect(Number(await result.getAttribute('data-maxdiff'))).toBeLessThan(1e-4);
  // Probabilities of a 64x64 image sum to well above zero unless the shaders silently failed.
  expect(Number(await result.getAttribute('data-sum'))).toBeGreaterThan(64);
  await page.keyboard.press('Escape');
  await page.getByTestId('settings-button').click();

  // The same model segments a 64x64 image through the UI on WebGPU, and the overlay shows.
  await dropFiles(page, [nucleiCrop64()]);
  await expect(page.getByTestId('image-item')).toHaveCount(1);
  await page.getByTestId('segment-current').click();
  await expect(page.getByTestId('badge-segmented')).toHaveCount(1, { timeout: 120_000 });
  await expect(page.getByTestId('tile-report')).toBeVisible();
  const box = (await page.getByTestId('viewer').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await expect(page.getByTestId('readout-probability')).toHaveText(/^\d\.\d{3}$/);
  expect(gpuErrors(console.errors)).toEqual([]);
});
