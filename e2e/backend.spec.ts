import { gpuErrors, watchConsole } from './console';
import { expect, test } from './guard';

test('forced WebGPU runs on the SwiftShader fallback adapter and matches the CPU backend', async ({ page }) => {
  const console = watchConsole(page);
  await page.goto('/?backend=webgpu');
  await expect(page.getByTestId('backend-status')).toHaveAttribute('data-status', 'ready');
  await expect(page.getByTestId('backend-name')).toHaveText('webgpu');
  await expect(page.getByTestId('backend-arch')).toHaveText('swiftshader');
  await expect(page.getByTestId('backend-fallback')).toHaveText('fallback=true');
  await expect(page.getByTestId('backend-notice')).toContainText('software fallback');

  await page.getByTestId('settings-button').click();
  await page.getByTestId('selftest-button').click();
  const result = page.getByTestId('selftest-result');
  await expect(result).toBeVisible();
  await expect(result).toContainText('webgpu');
  const maxDiff = Number(await result.getAttribute('data-maxdiff'));
  const sum = Number(await result.getAttribute('data-sum'));
  expect(maxDiff).toBeLessThan(1e-4);
  // A silently broken shader returns zeros, which would "match" nothing but still be small: check the size.
  expect(sum).toBeGreaterThan(1);
  expect(gpuErrors(console.errors)).toEqual([]);
});

test('automatic choice passes over the fallback adapter for a faster backend and says why', async ({ page }) => {
  const console = watchConsole(page);
  await page.goto('/');
  await expect(page.getByTestId('backend-status')).toHaveAttribute('data-status', 'ready');
  const name = await page.getByTestId('backend-name').textContent();
  expect(['wasm', 'webgl', 'cpu']).toContain(name);
  await expect(page.getByTestId('backend-reason')).toContainText('software fallback');
  await expect(page.getByTestId('backend-reason')).toContainText(`${name} was the fastest`);
  await expect(page.getByTestId('backend-notice')).toContainText('No GPU acceleration');
  expect(gpuErrors(console.errors)).toEqual([]);
});

test('the main thread stays free while the worker runs a 3 s job', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('backend-status')).toHaveAttribute('data-status', 'ready');
  await expect(page.getByTestId('backend-name')).toHaveText('wasm');
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number };
    w.__frames = 0;
    const tick = () => {
      w.__frames++;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await page.getByTestId('settings-button').click();
  await page.getByTestId('benchmark-button').click();
  const frames = () => page.evaluate(() => (window as unknown as { __frames: number }).__frames);
  // Sample the frame counter during the job: it must advance in every interval.
  const samples: number[] = [];
  for (let i = 0; i < 4; i++) {
    samples.push(await frames());
    await page.waitForTimeout(500);
  }
  await expect(page.getByTestId('benchmark-result')).toBeVisible();
  for (let i = 1; i < samples.length; i++) expect(samples[i] - samples[i - 1]).toBeGreaterThan(5);
  expect(Number(await page.getByTestId('benchmark-result').getAttribute('data-iterations'))).toBeGreaterThan(1);
});
