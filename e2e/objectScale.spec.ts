import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decode, encode } from 'fast-png';
import { dataRoot, dropFiles } from './fixtures/appFiles';
import { appMetrics, cliFiles, evaluateWithCli, expectSameMetrics } from './helpers';
import { expect, test } from './guard';

/** A 640x512-group DSB image (large nuclei, ~46 px across; the shipped model was trained at ~15 px). */
const LARGE_ID = '20c37b1ad2f510ed7396969e855fe93d0d05611738f6e706e8ca1d1aed3ded45';

/**
 * A 256x256 crop of it (7 nuclei, ground truth 52 px) as an 8-bit grey PNG (keeps the run short), and the
 * same crop of its instance labels as a 16-bit PNG.
 */
function largeNucleiCrop(): { name: string; bytes: Uint8Array; truth: Uint8Array } {
  const png = decode(readFileSync(path.join(dataRoot, 'images', `${LARGE_ID}.png`)));
  const labels = decode(readFileSync(path.join(dataRoot, 'labels_instance', `${LARGE_ID}.png`)));
  const w = 256;
  const h = 256;
  const data = new Uint8Array(w * h);
  const ids = new Uint16Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      data[y * w + x] = png.data[((256 + y) * png.width + x) * png.channels];
      ids[y * w + x] = labels.data[(256 + y) * labels.width + x];
    }
  }
  return {
    name: 'large-nuclei.png',
    bytes: encode({ width: w, height: h, data, channels: 1, depth: 8 }),
    truth: encode({ width: w, height: h, data: ids, channels: 1, depth: 16 }),
  };
}

test('the object diameter is estimated per image, shown, and a user diameter overrides it', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('model-facts')).toHaveAttribute('data-model-name', 'nuclei', { timeout: 60_000 });
  const crop = largeNucleiCrop();
  // The CLI on the same crop (Node, tfjs on WASM, the card's defaults: auto diameter, two scales) meanwhile.
  const files = cliFiles(crop, crop.truth);
  const cli = evaluateWithCli(['--model', 'public/models/nuclei', '--images', files.images, '--labels', files.labels, '--task', 'nuclei', '--labels-format', 'instance', '--engine', 'tfjs']);
  await dropFiles(page, [crop]);
  await expect(page.getByTestId('image-item')).toHaveCount(1);
  await expect(page.getByTestId('diameter-mode')).toHaveValue('auto');
  await page.getByTestId('segment-current').click();
  await expect(page.getByTestId('badge-segmented')).toHaveCount(1, { timeout: 120_000 });
  const estimate = page.getByTestId('diameter-estimate');
  await expect(estimate).toContainText('Estimated');
  // Large nuclei: an estimate well above the model's 15 px, so the image was shrunk (at most 2x).
  expect(Number(await estimate.getAttribute('data-value'))).toBeGreaterThan(25);
  expect(Number(await estimate.getAttribute('data-scale'))).toBeCloseTo(0.5, 2);
  // More than 2x the model's size: a second map at the scale the estimate asks for is averaged in.
  const fused = Number(await estimate.getAttribute('data-fused-scale'));
  expect(fused).toBeGreaterThan(0.2);
  expect(fused).toBeLessThan(0.45);
  await expect(estimate).toContainText('averaged');
  // Its objects are made at that scale (settings in the model's pixels) exactly as the CLI makes them.
  await page.getByTestId('ground-truth-input').setInputFiles({ name: 'large-truth.png', mimeType: 'image/png', buffer: Buffer.from(crop.truth) });
  const inApp = await appMetrics(page);
  const fromCli = await cli;
  expect(fromCli.scale).toBeCloseTo(Number(await estimate.getAttribute('data-scale')), 6);
  expect(fromCli.fusedScale).toBeCloseTo(fused, 6);
  expectSameMetrics(inApp, fromCli, 7);
  test.info().annotations.push({ type: 'metrics', description: JSON.stringify({ app: inApp, cli: fromCli }) });
  expect(inApp.iou).toBeGreaterThan(0.6);

  // The user says the objects are 15 px: a new prediction at scale 1.
  await page.getByTestId('diameter-mode').selectOption('set');
  await page.getByTestId('diameter-input').fill('15');
  await page.getByTestId('diameter-input').blur();
  await page.getByTestId('segment-current').click();
  await expect(estimate).toContainText('Set: 15.0 px', { timeout: 120_000 });
  await expect(estimate).toHaveAttribute('data-scale', '1');
});
