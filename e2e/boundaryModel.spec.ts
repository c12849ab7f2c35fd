import { readFileSync } from 'node:fs';
import { encode } from 'fast-png';
import { unzipSync } from 'fflate';
import { parsePostProcessing } from '../src/image/postProcessing';
import { watchConsole } from './console';
import { dsbCrop } from './fixtures/appFiles';
import { expect, test } from './guard';
import { appMetrics, cliFiles, dropFiles, evaluateWithCli, expectSameMetrics, openApp, paintTrainingStrokes } from './helpers';

/*
 * The shipped boundary-class model (3 classes, card classWeights [0, 1, 0.5]) as a user meets it: picked in the
 * model menu, its objects are those of its card (the map interior + boundary / 2 at threshold 0.3), the metrics
 * against a ground truth equal `npm run evaluate`'s on the same files (which reads the same map), and painted
 * labels fine-tune it into a kept model that is still a boundary-class model.
 */

const CROP = dsbCrop(128, 128, 128, 'boundary-crop.png');
const MODEL = 'nuclei-boundary';

interface Card {
  readonly postProcessing?: unknown;
  readonly classWeights?: readonly number[];
  readonly architecture: { readonly classes: number };
}

test('boundary-class model: its card\'s objects, evaluate equals the CLI, fine-tunes into a boundary-class model', async ({ page }) => {
  test.setTimeout(150_000);
  const console = watchConsole(page);
  const card = JSON.parse(readFileSync(new URL(`../public/models/${MODEL}/model-card.json`, import.meta.url), 'utf8')) as Card;
  expect(card.architecture.classes).toBe(3);
  expect(card.classWeights).toEqual([0, 1, 0.5]);
  const truthPng = encode({ width: CROP.size, height: CROP.size, data: CROP.instances, channels: 1, depth: 16 });
  const files = cliFiles(CROP, truthPng);
  const cli = evaluateWithCli(['--model', `public/models/${MODEL}`, '--images', files.images, '--labels', files.labels, '--task', 'nuclei', '--labels-format', 'instance', '--engine', 'tfjs']);

  await openApp(page);
  await dropFiles(page, [CROP]);
  const facts = page.getByTestId('model-facts');
  const select = page.getByTestId('model-select');
  await select.selectOption(MODEL);
  await expect(facts).toHaveAttribute('data-model-name', MODEL);
  const settings = parsePostProcessing(card.postProcessing, 'foreground');
  expect(settings.threshold).toBe(0.3);
  await expect(page.getByTestId('post-processing')).toHaveAttribute('data-settings', JSON.stringify(settings));

  await page.getByTestId('segment-current').click();
  const count = page.getByTestId('object-count');
  await expect(count).toHaveAttribute('data-fresh', 'true');
  const objects = Number(await count.getAttribute('data-value'));
  expect(objects).toBeGreaterThan(3);
  await page.getByTestId('ground-truth-input').setInputFiles({ name: 'boundary-crop-truth.png', mimeType: 'image/png', buffer: Buffer.from(truthPng) });
  await expect(page.getByTestId('ground-truth-format')).toHaveValue('instance');
  const inApp = await appMetrics(page);
  const fromCli = await cli;
  test.info().annotations.push({ type: 'metrics', description: JSON.stringify({ app: inApp, cli: fromCli }) });
  expectSameMetrics(inApp, fromCli, objects);
  expect(inApp.iou).toBeGreaterThan(0.7);

  // Painted labels say foreground or background; the run becomes a kept model with the parent's class weights.
  await paintTrainingStrokes(page, CROP);
  await page.getByTestId('train-steps').fill('2');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('train-result')).toBeVisible();
  await expect(page.getByTestId('train-result')).toHaveAttribute('data-steps', '2');
  await expect(select.locator('option', { hasText: `${MODEL} · tuned 1` })).toHaveCount(1);
  await select.selectOption(`${MODEL}~tuned-1`);
  await expect(facts).toHaveAttribute('data-model-name', `${MODEL} · tuned 1`);
  const download = page.waitForEvent('download');
  await page.getByTestId('download-model').click();
  const zip = unzipSync(new Uint8Array(readFileSync(await (await download).path())));
  const tuned = JSON.parse(new TextDecoder().decode(zip['model-card.json'])) as Card & { fineTune: { parentId: string } };
  expect(tuned.architecture.classes).toBe(3);
  expect(tuned.classWeights).toEqual([0, 1, 0.5]);
  expect(tuned.fineTune.parentId).toBe(MODEL);
  expect(console.errors).toEqual([]);
});
