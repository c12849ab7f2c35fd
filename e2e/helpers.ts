import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

/** An image and its label image written as the CLI reads them: images/NAME.png, labels/NAME.png. */
export function cliFiles(crop: { readonly name: string; readonly bytes: Uint8Array }, truthPng: Uint8Array): { images: string; labels: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'unet-objects-'));
  const images = path.join(root, 'images');
  const labels = path.join(root, 'labels');
  mkdirSync(images);
  mkdirSync(labels);
  writeFileSync(path.join(images, crop.name), crop.bytes);
  writeFileSync(path.join(labels, crop.name), truthPng);
  return { images, labels };
}

/** The metrics the Evaluate panel shows, at full precision, once they belong to the current settings. */
export async function appMetrics(page: Page): Promise<Record<string, number>> {
  await expect(page.getByTestId('metrics')).toHaveAttribute('data-fresh', 'true');
  const pairs = await page.getByTestId('metrics').locator('dd').evaluateAll((dds) => dds.map((d) => [d.getAttribute('data-testid')!.slice('metric-'.length), Number(d.getAttribute('data-value'))]));
  return Object.fromEntries(pairs) as Record<string, number>;
}

/**
 * Browser and Node probabilities differ by ~1e-5, which may flip the odd pixel lying that close to the
 * threshold: pixel metrics may differ by a few pixels (1e-3), and the matching of at most one object (AP,
 * F1, precision and recall move by at most one object's share, 1 / objects).
 */
export function expectSameMetrics(inApp: Record<string, number>, fromCli: Record<string, number>, objects: number): void {
  for (const k of ['iou', 'dice', 'pixelError']) expect(Math.abs(inApp[k] - fromCli[k]), k).toBeLessThanOrEqual(1e-3);
  for (const k of ['ap', 'f1', 'precision', 'recall']) expect(Math.abs(inApp[k] - fromCli[k]), k).toBeLessThanOrEqual(1 / objects);
}

/** Waits until the stored session holds everything done so far (the header's session badge says "Saved"). */
export async function waitForSaved(page: Page): Promise<void> {
  await expect(page.getByTestId('session-status')).toHaveAttribute('data-status', 'saved');
}

/**
 * Reloads as a user would, answering "leave" to a leave-page question, and waits for the backend and the
 * restored session.
 */
export async function reloadApp(page: Page): Promise<void> {
  const leave = (dialog: { type(): string; accept(): Promise<void> }) => {
    if (dialog.type() === 'beforeunload') void dialog.accept();
  };
  page.on('dialog', leave);
  await page.reload();
  page.off('dialog', leave);
  await expect(page.getByTestId('backend-status')).toHaveAttribute('data-status', 'ready');
  await expect(page.getByTestId('session-status')).toHaveAttribute('data-status', /^(saved|saving|readonly|failed)$/);
}

/** Background and foreground pixel counts of the shown image's painted labels. */
export async function labelCounts(page: Page): Promise<{ background: number; foreground: number }> {
  const el = page.getByTestId('label-counts');
  return { background: Number(await el.getAttribute('data-background')), foreground: Number(await el.getAttribute('data-foreground')) };
}

/** The files of the shown image's export ("This image", one ZIP), by name. */
export async function exportShownImage(page: Page): Promise<Record<string, Uint8Array>> {
  const download = page.waitForEvent('download');
  await page.getByTestId('export-current').click();
  const file = await (await download).path();
  return unzipSync(new Uint8Array(readFileSync(file)));
}

/** Centroids of the 4 largest nuclei and 5 points far from any nucleus, from a crop's true instances (dsbCrop). */
export function strokePlaces(crop: { readonly size: number; readonly instances: Uint16Array }): { nuclei: [number, number][]; background: [number, number][] } {
  const { size, instances } = crop;
  const sums = new Map<number, { n: number; x: number; y: number }>();
  instances.forEach((id, i) => {
    if (!id) return;
    const s = sums.get(id) ?? { n: 0, x: 0, y: 0 };
    s.n++;
    s.x += i % size;
    s.y += Math.floor(i / size);
    sums.set(id, s);
  });
  const nuclei = [...sums.values()]
    .sort((a, b) => b.n - a.n)
    .slice(0, 4)
    .map((s) => [Math.round(s.x / s.n), Math.round(s.y / s.n)] as [number, number]);
  const far = (x: number, y: number) => {
    for (let dy = -9; dy <= 9; dy++) for (let dx = -9; dx <= 9; dx++) if (instances[Math.min(size - 1, Math.max(0, y + dy)) * size + Math.min(size - 1, Math.max(0, x + dx))]) return false;
    return true;
  };
  const background: [number, number][] = [];
  for (let y = 12; y < size - 12 && background.length < 5; y += 23) {
    for (let x = 12; x < size - 12 && background.length < 5; x += 29) if (far(x, y) && far(x + 6, y)) background.push([x, y]);
  }
  return { nuclei, background };
}

/** Brush strokes of both classes on a dsbCrop image (as e2e/finetune.spec.ts paints): enough to fine-tune with validation. */
export async function paintTrainingStrokes(page: Page, crop: { readonly size: number; readonly instances: Uint16Array }): Promise<void> {
  const { nuclei, background } = strokePlaces(crop);
  await page.getByTestId('tool-brush').click();
  for (let k = 0; k < 3; k++) await page.keyboard.press('[');
  await page.getByTestId('class-2').click();
  for (const [x, y] of nuclei) await paintStroke(page, [x - 3, y], [x + 3, y]);
  await page.getByTestId('class-1').click();
  for (const [x, y] of background.slice(0, 4)) await paintStroke(page, [x, y], [x + 6, y]);
}
