import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { dataRoot, dsbCrop, dsbImage, type TestFile } from './fixtures/appFiles';
import { dropFiles, openApp } from './helpers';
import { expect, test } from './guard';

/*
 * The workspace fits the common laptop and desktop sizes in every state that grows it: empty, images with
 * long file names, a running and a finished segmentation with long status messages, error toasts, and a
 * fine-tune with its plot. Nothing may widen the page (a status bar once pushed the right panel, and Cancel,
 * off-screen at 1440x900), and no toast may cover a control. Screenshot baselines of the segmented
 * workspace at each size (fixed data; the timing text and the machine-specific backend badge are masked).
 */

const SIZES = [
  { width: 1280, height: 720 },
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
] as const;

/** A long but legal file name prefix (names may be 255 bytes), as microscope software writes them. */
const LONG =
  '2026-11-30_experiment-42_plate-3_well-B07_field-12_channel-DAPI_z-stack-max-projection_deconvolved_registered_final-version-2_' +
  'objective-63x-oil_NA-1.40_binning-1x1_exposure-120ms_';

/** A 512x512 ISBI 2012 EM slice: a bigger image, so that the segmentation runs long enough to look at it. */
function emSlice(): TestFile {
  return { name: 'em-0.png', bytes: new Uint8Array(readFileSync(path.resolve(dataRoot, '../isbi2012-em/images/0.png'))) };
}

function named(file: TestFile, name: string): TestFile {
  return { name, bytes: file.bytes };
}

/** No horizontal scrolling anywhere on the page, and the main regions end inside the window. */
async function expectFits(page: Page, state: string): Promise<void> {
  const m = await page.evaluate(() => {
    const right = (selector: string) => document.querySelector(selector)?.getBoundingClientRect().right ?? 0;
    return {
      doc: document.documentElement.scrollWidth,
      body: document.body.scrollWidth,
      width: window.innerWidth,
      scrollX: window.scrollX,
      regions: { header: right('.header'), panel: right('aside.panel'), statusbar: right('.statusbar') },
    };
  });
  expect(m.doc, `page width ${state}`).toBeLessThanOrEqual(m.width);
  expect(m.body, `body width ${state}`).toBeLessThanOrEqual(m.width);
  expect(m.scrollX, `horizontal scroll ${state}`).toBe(0);
  for (const [region, right] of Object.entries(m.regions)) expect(right, `right edge of the ${region} ${state}`).toBeLessThanOrEqual(m.width);
}

/**
 * The control lies inside the window horizontally as it is, and vertically once its panel is scrolled to it
 * (measured in one go inside the page, so a control that is there only while a job runs is caught).
 */
async function expectOnScreen(page: Page, testId: string, state: string): Promise<void> {
  const m = await page.evaluate((id) => {
    const el = document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
    if (!el) return null;
    const before = el.getBoundingClientRect();
    el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    const after = el.getBoundingClientRect();
    return { left: before.left, right: before.right, top: after.top, bottom: after.bottom, width: window.innerWidth, height: window.innerHeight };
  }, testId);
  expect(m, `${state}: ${testId} is shown`).not.toBeNull();
  expect(m!.left, `${state}: left edge of ${testId}`).toBeGreaterThanOrEqual(0);
  expect(m!.right, `${state}: right edge of ${testId}`).toBeLessThanOrEqual(m!.width);
  expect(m!.top, `${state}: top edge of ${testId}`).toBeGreaterThanOrEqual(0);
  expect(m!.bottom, `${state}: bottom edge of ${testId}`).toBeLessThanOrEqual(m!.height);
  await expectFits(page, state);
}

/** Rectangles of the visible controls the user can click or type into, outside the toasts. */
async function controlBoxes(page: Page): Promise<{ what: string; x: number; y: number; width: number; height: number }[]> {
  return page.evaluate(() => {
    const selector = 'button, input:not([type=hidden]), select, textarea, summary, a[href], [role=button], [role=slider], [data-testid=viewer-toolbar]';
    return [...document.querySelectorAll<HTMLElement>(selector)]
      .filter((el) => !el.closest('.toasts') && !el.hidden && el.getClientRects().length > 0)
      .map((el) => {
        const r = el.getBoundingClientRect();
        return { what: `${el.tagName.toLowerCase()} ${el.dataset.testid ?? el.textContent?.trim().slice(0, 30) ?? ''}`, x: r.x, y: r.y, width: r.width, height: r.height };
      })
      .filter((r) => r.width > 0 && r.height > 0);
  });
}

async function expectToastsCoverNothing(page: Page, state: string): Promise<void> {
  const toasts = page.locator('.toast');
  expect(await toasts.count(), `${state}: toasts to check`).toBeGreaterThan(0);
  const controls = await controlBoxes(page);
  for (const toast of await toasts.all()) {
    const t = (await toast.boundingBox())!;
    for (const c of controls) {
      const overlap = t.x < c.x + c.width && c.x < t.x + t.width && t.y < c.y + c.height && c.y < t.y + t.height;
      expect(overlap, `${state}: a toast covers ${c.what}`).toBe(false);
    }
  }
}

async function dismissToasts(page: Page): Promise<void> {
  const buttons = page.locator('.toast button');
  while ((await buttons.count()) > 0) await buttons.first().click();
}

for (const size of SIZES) {
  test(`the workspace fits ${size.width}x${size.height}: no sideways scroll, Cancel on screen, toasts beside the controls`, async ({ page }, testInfo) => {
    test.setTimeout(150_000);
    await page.setViewportSize(size);
    await page.emulateMedia({ colorScheme: 'dark' });
    await openApp(page);
    await expect(page.getByTestId('model-facts')).toHaveAttribute('data-model-name', 'nuclei');
    await expectFits(page, 'empty');

    // A file that cannot be read, with a long name: an error toast that stays, beside the open buttons.
    await dropFiles(page, [{ name: `${LONG}broken.tif`, bytes: new Uint8Array(0) }]);
    await expect(page.getByTestId('toast-error')).toHaveCount(1);
    await expectFits(page, 'empty, with an error toast');
    await expectToastsCoverNothing(page, 'empty');
    await page.screenshot({ path: testInfo.outputPath('empty-with-error.png') });

    // Images with long names.
    await dropFiles(page, [named(dsbImage(), `${LONG}nuclei.png`), named(emSlice(), `${LONG}em.png`), named(dsbCrop(0, 0, 128), `${LONG}crop.png`)]);
    await expect(page.getByTestId('image-item')).toHaveCount(3);
    await expectFits(page, 'images loaded');
    await expectToastsCoverNothing(page, 'images loaded');

    // Segment all: the status bar says "Segmenting <long name> (1 of 2)…"; Cancel stays on screen.
    await page.getByTestId('segment-all').click();
    await expect(page.getByTestId('segment-cancel')).toBeVisible();
    await expectOnScreen(page, 'segment-cancel', 'while segmenting');
    await expect(page.getByTestId('status-text')).toContainText(LONG);
    // The 512x512 image runs second: by then the status bar also has the tile line (the case that broke).
    await expect(page.getByTestId('badge-segmented')).toHaveCount(1);
    await expect(page.getByTestId('status-tile')).toBeVisible();
    await expectOnScreen(page, 'segment-cancel', 'while segmenting, with the tile line');
    await expect(page.getByTestId('badge-segmented')).toHaveCount(3);
    await expect(page.getByTestId('status-tile')).toBeVisible();
    await expectFits(page, 'after a segmentation');
    await expectOnScreen(page, 'segment-all', 'after a segmentation');
    await expectOnScreen(page, 'export-zip', 'after a segmentation');
    await expectToastsCoverNothing(page, 'after a segmentation');
    await page.screenshot({ path: testInfo.outputPath('segmented-with-toasts.png') });

    await dismissToasts(page);
    await page.getByTestId('image-item').first().click();
    await page.locator('aside.panel').evaluate((panel) => panel.scrollTo(0, 0));
    await page.mouse.move(2, size.height - 2);
    await page.evaluate(() => document.fonts.ready);
    await expect(page).toHaveScreenshot(`workspace-${size.width}x${size.height}.png`, {
      mask: [page.getByTestId('backend-status'), page.getByTestId('status-text'), page.getByTestId('backend-reason')],
      maxDiffPixelRatio: 0.02,
      animations: 'disabled',
      caret: 'hide',
    });
  });
}

test('fine-tuning with its plot fits all three sizes, Stop on screen', async ({ page }, testInfo) => {
  test.setTimeout(170_000);
  await page.setViewportSize(SIZES[1]);
  await openApp(page);
  await expect(page.getByTestId('model-facts')).toHaveAttribute('data-model-name', 'nuclei');
  await dropFiles(page, [named(dsbCrop(128, 128, 128), `${LONG}crop.png`)]);
  await expect(page.getByTestId('image-item')).toHaveCount(1);
  await page.getByTestId('segment-current').click();
  await expect(page.getByTestId('badge-segmented')).toHaveCount(1);
  // The prediction as labels: both classes, many regions, enough to train on.
  await page.getByTestId('accept-all').click();
  await page.getByTestId('train-steps').fill('400');
  await page.getByTestId('train-button').click();
  const plot = page.getByTestId('train-plot');
  await expect.poll(async () => Number(await plot.getAttribute('data-points'))).toBeGreaterThan(1);
  for (const size of SIZES) {
    await page.setViewportSize(size);
    const state = `fine-tuning at ${size.width}x${size.height}`;
    await expectFits(page, state);
    await expectOnScreen(page, 'train-cancel', state);
    await expectOnScreen(page, 'train-plot', state);
    await page.screenshot({ path: testInfo.outputPath(`fine-tuning-${size.width}x${size.height}.png`) });
  }
  await page.getByTestId('train-cancel').click();
  await expect(page.getByTestId('train-result')).toBeVisible();
  await expectFits(page, 'after the fine-tune');
});
