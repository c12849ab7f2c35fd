import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';

/*
 * Shared steps of the app's e2e tests: start the app on a backend, drop files, and paint or read at image
 * pixel coordinates (the viewer publishes its view as data attributes, so a test needs no layout maths).
 */

export { dropFiles } from './fixtures/appFiles';

/** Opens the app on `backend` (default WASM) and waits until the model backend is ready. */
export async function openApp(page: Page, backend: 'wasm' | 'webgpu' | 'webgl' | 'cpu' = 'wasm'): Promise<void> {
  await page.goto(`/?backend=${backend}`);
  await expect(page.getByTestId('backend-status')).toHaveAttribute('data-status', 'ready');
}

/** Screen point of the centre of image pixel (x, y) in the viewer as it is now. */
export async function imagePoint(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  const viewer = page.getByTestId('viewer');
  const box = (await viewer.boundingBox())!;
  const zoom = Number(await viewer.getAttribute('data-zoom'));
  const ox = Number(await viewer.getAttribute('data-offset-x'));
  const oy = Number(await viewer.getAttribute('data-offset-y'));
  if (!(zoom > 0)) throw new Error('The viewer shows no image');
  return { x: box.x + ox + (x + 0.5) * zoom, y: box.y + oy + (y + 0.5) * zoom };
}

/** One brush stroke from image pixel `from` to `to` with the current tool and class. */
export async function paintStroke(page: Page, from: readonly [number, number], to: readonly [number, number], steps = 8): Promise<void> {
  const a = await imagePoint(page, from[0], from[1]);
  const b = await imagePoint(page, to[0], to[1]);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(b.x, b.y, { steps });
  await page.mouse.up();
}

/** The probability the cursor readout shows at image pixel (x, y) (moves the mouse there). */
export async function probabilityAt(page: Page, x: number, y: number): Promise<number> {
  const p = await imagePoint(page, x, y);
  // Move off and back so the readout is recomputed from what is shown now.
  await page.mouse.move(p.x + 1, p.y);
  await page.mouse.move(p.x, p.y);
  const readout = page.getByTestId('readout-probability');
  await expect(readout).toHaveText(/^\d\.\d{3}$/);
  return Number(await readout.textContent());
}

/** Clicks `testId` and returns the entries of the ZIP it downloads. */
export async function downloadZip(page: Page, testId: string): Promise<Record<string, Uint8Array>> {
  const download = page.waitForEvent('download');
  await page.getByTestId(testId).click();
  return unzipSync(new Uint8Array(readFileSync(await (await download).path())));
}

/**
 * Runs `npm run evaluate` (cli/evaluate.ts through tsx) in Node on the given arguments plus `--json`, and
 * resolves with its report's metrics of the first image. Start it early: it runs while the browser works.
 */
export function evaluateWithCli(args: readonly string[]): Promise<Record<string, number>> {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'unet-evaluate-')), 'report.json');
  return new Promise((resolve, reject) => {
    execFile('npx', ['tsx', 'cli/evaluate.ts', ...args, '--json', out], { timeout: 170_000 }, (error, _stdout, stderr) => {
      if (error) return reject(new Error(`evaluate failed: ${error.message}\n${stderr}`));
      const report = JSON.parse(readFileSync(out, 'utf8')) as { images: Record<string, number>[] };
      resolve(report.images[0]);
    });
  });
}
