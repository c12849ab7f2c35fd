import { expect, test } from '@playwright/test';
import { gpuErrors, watchConsole } from './console';

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
  expect(gpuErrors(console.errors)).toEqual([]);
});
