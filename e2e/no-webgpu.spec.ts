import { watchConsole } from './console';
import { expect, test } from './guard';

test('without WebGPU the app runs on a fallback backend and shows a clear notice', async ({ page }) => {
  const console = watchConsole(page);
  await page.goto('/');
  await expect(page.getByTestId('backend-status')).toHaveAttribute('data-status', 'ready');
  const name = await page.getByTestId('backend-name').textContent();
  expect(['wasm', 'webgl', 'cpu']).toContain(name);
  await expect(page.getByTestId('backend-notice')).toContainText('WebGPU is not available');
  // Forcing WebGPU where there is none falls back too, and says so.
  await page.goto('/?backend=webgpu');
  await expect(page.getByTestId('backend-status')).toHaveAttribute('data-status', 'ready');
  expect(['wasm', 'webgl', 'cpu']).toContain(await page.getByTestId('backend-name').textContent());
  await expect(page.getByTestId('backend-notice')).toBeVisible();
  await expect(page.getByTestId('backend-reason')).toContainText('WebGPU was requested but is not available');
  expect(console.errors.filter((e) => !/favicon/.test(e))).toEqual([]);
});
