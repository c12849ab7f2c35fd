import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { contentSecurityPolicy, previewCspHeader } from '../csp.config';
import { dsbCrop } from './fixtures/appFiles';
import { expect, test } from './guard';
import { dropFiles, openApp, paintStroke } from './helpers';

/*
 * Privacy and security of the built app: it runs under its Content-Security-Policy (and the guard in
 * ./guard.ts would notice if the policy stopped refusing), and a whole session, from loading an image to
 * exporting masks and a tuned model, asks no other origin for anything.
 */

test('the built app carries its CSP, which refuses eval in the page and in workers, and the guard sees it', async ({ page, guard }) => {
  const response = await page.goto('/?backend=wasm');
  expect(response!.headers()['content-security-policy']).toBe(previewCspHeader);
  await expect(page.locator('meta[http-equiv="Content-Security-Policy"]')).toHaveAttribute('content', contentSecurityPolicy);
  await expect(page.getByTestId('backend-status')).toHaveAttribute('data-status', 'ready');

  // String evaluation is refused in the page... (from a timer: code that Playwright evaluates itself runs
  // with DevTools' permission to evaluate strings, the page's own code does not).
  const pageEval = await page.evaluate(
    () =>
      new Promise<string>((resolve) =>
        setTimeout(() => {
          try {
            resolve(String(new Function('return 1')()));
          } catch (e) {
            resolve((e as Error).name);
          }
        }),
      ),
  );
  expect(pageEval).toBe('EvalError');
  const pageEvents = () => guard.violations.filter((v) => /^page: script-src refused eval/.test(v)).length;
  const reports = (documentUri: RegExp) =>
    guard.violations.filter((v) => v.startsWith('report: ')).map((v) => (JSON.parse(v.slice(8)) as { 'csp-report': Record<string, string> })['csp-report']).filter((r) => r['blocked-uri'] === 'eval' && documentUri.test(r['document-uri'])).length;
  await expect.poll(pageEvents).toBeGreaterThan(0);
  await expect.poll(() => reports(/^http:/)).toBe(1);

  // ...and in a worker the page starts (a blob: worker inherits the page's policy), which reports it.
  const workerEval = await page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const source = 'try { postMessage(String(eval("1"))); } catch (e) { postMessage(e.name); }';
        const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
        worker.onmessage = (e: MessageEvent<string>) => resolve(e.data);
      }),
  );
  expect(workerEval).toBe('EvalError');
  await expect.poll(() => reports(/^blob/)).toBe(1);
  // Both were provoked on purpose: the guard must not fail this test for them.
  guard.allow(/eval/);
});

const CROP = dsbCrop(128, 128, 128);

test('a whole session (load, segment, paint, fine-tune, keep, export) asks no other origin for anything', async ({ page, guard }) => {
  test.setTimeout(150_000);
  await openApp(page);
  await dropFiles(page, [CROP]);
  await expect(page.getByTestId('image-item')).toHaveCount(1);
  await page.getByTestId('image-item').first().click();
  await page.getByTestId('segment-current').click();
  await expect(page.getByTestId('badge-segmented')).toHaveCount(1);

  // Short strokes of both classes in separate places, so the region split has some to hold out.
  await page.getByTestId('tool-brush').click();
  await page.getByTestId('class-2').click();
  for (const y of [20, 50, 80, 110]) await paintStroke(page, [20, y], [30, y]);
  await page.getByTestId('class-1').click();
  for (const y of [20, 50, 80, 110]) await paintStroke(page, [95, y], [105, y]);
  await expect(page.getByTestId('train-button')).toBeEnabled();

  // A few steps of fine-tuning; the run becomes a model that is kept in the library.
  await page.getByTestId('train-steps').fill('3');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('train-result')).toBeVisible();
  await expect(page.getByTestId('model-select').locator('option', { hasText: 'nuclei · tuned 1' })).toHaveCount(1);
  await page.getByTestId('model-library').locator('summary').click();
  await expect(page.locator('[data-testid="library-item"][data-kept="true"]')).toHaveAttribute('data-name', 'nuclei · tuned 1');

  // Export everything as a ZIP.
  const downloadPromise = page.waitForEvent('download');
  await page.getByTestId('export-zip').click();
  const download = await downloadPromise;
  const zip = unzipSync(new Uint8Array(readFileSync(await download.path())));
  expect(Object.keys(zip).length).toBeGreaterThan(0);

  // The recorder saw the workers' own requests (the model and the WASM binary are fetched in the model
  // worker), so an empty list of foreign requests means something.
  expect(guard.requests.some((u) => u.endsWith('/models/nuclei/model.json'))).toBe(true);
  expect(guard.requests.some((u) => u.endsWith('.wasm'))).toBe(true);
  expect(guard.foreign, `requests to another origin:\n${guard.foreign.join('\n')}`).toEqual([]);
});
