import type { Page } from '@playwright/test';
import { dropFiles, dsbImage } from './fixtures/appFiles';
import { expect, test } from './guard';

// The main screen's look, against a committed baseline: dark theme, a real nuclei image, painted labels of
// both classes as the overlay. The model panel (owned by the model work, and model-dependent) and the
// backend badge (thread count differs per machine) stay out of the comparison.

test.use({ colorScheme: 'dark', viewport: { width: 1280, height: 800 } });

async function dismissToasts(page: Page): Promise<void> {
  const buttons = page.locator('.toast button');
  while ((await buttons.count()) > 0) await buttons.first().click();
}

async function stroke(page: Page, points: readonly [number, number][]): Promise<void> {
  const box = (await page.getByTestId('viewer').boundingBox())!;
  const at = ([x, y]: [number, number]) => [box.x + box.width * x, box.y + box.height * y] as const;
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 10 });
  await page.mouse.up();
}

test('main screen with an image and painted labels matches the baseline', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('backend-status')).toHaveAttribute('data-status', 'ready');
  // The model's notices (e.g. "untrained model") arrive once it is loaded; they are dismissed below.
  await expect(page.getByTestId('model-facts')).toBeVisible();
  await dropFiles(page, [dsbImage()]);
  await expect(page.getByTestId('image-item')).toHaveCount(1);

  await page.keyboard.press(']');
  await stroke(page, [
    [0.3, 0.3],
    [0.5, 0.35],
    [0.55, 0.5],
  ]);
  await page.keyboard.press('1');
  await stroke(page, [
    [0.25, 0.7],
    [0.7, 0.75],
  ]);
  await expect(page.getByTestId('label-counts')).not.toHaveAttribute('data-background', '0');
  // Cursor away from the viewer: no brush outline or readout in the picture.
  await page.mouse.move(5, 795);
  await dismissToasts(page);
  await page.evaluate(() => document.fonts.ready);

  const panel = (await page.locator('aside.panel').boundingBox())!;
  const status = (await page.getByTestId('status-bar').boundingBox())!;
  await expect(page).toHaveScreenshot('main-screen.png', {
    clip: { x: 0, y: 0, width: panel.x, height: status.y },
    mask: [page.getByTestId('backend-status')],
    maxDiffPixelRatio: 0.02,
    animations: 'disabled',
    caret: 'hide',
  });
});
