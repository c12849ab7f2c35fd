import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { decode, encode } from 'fast-png';
import { dsbImage } from './fixtures/appFiles';
import { expect, test } from './guard';

async function openApp(page: Page): Promise<void> {
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('backend-status')).toHaveAttribute('data-status', 'ready');
}

test('a picked folder loads its images (subfolders too) and skips other files', async ({ page }) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'unet-studio-folder-'));
  try {
    mkdirSync(path.join(dir, 'plate1'));
    writeFileSync(path.join(dir, 'plate1', 'well-B4.png'), dsbImage().bytes);
    writeFileSync(path.join(dir, 'well-A1.png'), dsbImage().bytes);
    writeFileSync(path.join(dir, 'notes.txt'), 'not an image');
    await openApp(page);
    await page.getByTestId('folder-input').first().setInputFiles(dir);
    await expect(page.getByTestId('image-item')).toHaveCount(2);
    await expect(page.getByTestId('image-item').nth(0)).toHaveAttribute('data-name', 'well-B4.png');
    await expect(page.getByTestId('toast-info').filter({ hasText: 'Skipped 1' })).toBeVisible();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keyboard: zoom steps, fit, image switching and the shortcut help', async ({ page }) => {
  await openApp(page);
  const png = dsbImage();
  await page.getByTestId('file-input').first().setInputFiles([
    { name: 'first.png', mimeType: 'image/png', buffer: Buffer.from(png.bytes) },
    { name: 'second.png', mimeType: 'image/png', buffer: Buffer.from(png.bytes) },
  ]);
  await expect(page.getByTestId('image-item')).toHaveCount(2);
  await page.getByTestId('viewer').click({ position: { x: 5, y: 5 } });
  const zoom = page.getByTestId('zoom-label');
  const fitted = await zoom.textContent();
  await page.keyboard.press('+');
  await expect(zoom).not.toHaveText(fitted!);
  await page.keyboard.press('0');
  await expect(zoom).toHaveText(fitted!);
  await zoom.click();
  await expect(zoom).toHaveText('100%');

  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('image-item').nth(1)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowUp');
  await expect(page.getByTestId('image-item').nth(0)).toHaveAttribute('aria-selected', 'true');

  await page.keyboard.press('?');
  await expect(page.getByTestId('help-overlay')).toContainText('Ctrl+Shift+Z');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('help-overlay')).toHaveCount(0);
});

test('a long segmentation shows progress, keeps the page responsive and can be cancelled', async ({ page }) => {
  await openApp(page);
  // 2048x2048: the DSB image tiled 8x8, long enough on the WASM backend to watch and cancel.
  const tile = decode(dsbImage().bytes);
  const size = 2048;
  const data = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) data[y * size + x] = tile.data[(y % 256) * 256 + (x % 256)];
  const big = encode({ width: size, height: size, data, depth: 8, channels: 1 });
  await page.getByTestId('file-input').first().setInputFiles({ name: 'big.png', mimeType: 'image/png', buffer: Buffer.from(big) });
  await expect(page.getByTestId('image-item')).toHaveCount(1);
  await expect(page.getByTestId('segment-current')).toBeEnabled();

  await page.evaluate(() => {
    const w = window as unknown as { __frames: number };
    w.__frames = 0;
    const tick = () => {
      w.__frames++;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await page.getByTestId('segment-current').click();
  const progress = page.getByTestId('segment-progress');
  await expect(progress).toBeVisible();
  await expect(progress).toContainText('Image 1 of 1');
  const frames = () => page.evaluate(() => (window as unknown as { __frames: number }).__frames);
  const before = await frames();
  await page.waitForTimeout(500);
  expect(await frames()).toBeGreaterThan(before + 5);

  await page.getByTestId('segment-cancel').click();
  await expect(progress).toHaveCount(0);
  await expect(page.getByTestId('status-text')).toContainText('cancelled');
  await expect(page.getByTestId('badge-segmented')).toHaveCount(0);
});

test('a colour JPEG is decoded by the browser in the worker and offers the channel the model reads', async ({ page }) => {
  await openApp(page);
  // The JPEG is encoded in the page (no JPEG encoder in Node) and dropped like a file from the desktop.
  await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(120, 90);
    const g = canvas.getContext('2d')!;
    g.fillStyle = '#203050';
    g.fillRect(0, 0, 120, 90);
    g.fillStyle = '#f0a020';
    g.beginPath();
    g.arc(60, 45, 20, 0, 2 * Math.PI);
    g.fill();
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
    const dataTransfer = new DataTransfer();
    dataTransfer.items.add(new File([blob], 'colour.jpg', { type: 'image/jpeg' }));
    for (const type of ['dragenter', 'dragover', 'drop']) document.body.dispatchEvent(new DragEvent(type, { dataTransfer, bubbles: true, cancelable: true }));
  });
  await expect(page.getByTestId('image-item')).toHaveCount(1);
  await expect(page.getByTestId('image-item')).toContainText('120×90 · 8-bit RGB');
  const channel = page.getByTestId('channel-select');
  await expect(channel).toHaveValue('mean');
  await channel.selectOption('1');
  await expect(channel).toHaveValue('1');
  // The cursor readout shows all three raw channel values.
  const box = (await page.getByTestId('viewer').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await expect(page.getByTestId('readout-value')).toHaveText(/^\d+, \d+, \d+$/);
});
