import { watchConsole } from './console';
import { isbiCrop } from './fixtures/appFiles';
import { expect, test } from './guard';
import { dropFiles, openApp } from './helpers';

// The measurement table of an image with more objects than its scroll box shows (issue 11: no main-thread
// task over 50 ms): only the rows in view are in the DOM, yet scrolling shows every row of the page once,
// in sorted order, and a row scrolled into view still locates its object.

test('a long measurement table renders the rows in view; scrolling shows each row once, sorted; a scrolled row locates', async ({ page }) => {
  const console = watchConsole(page);
  // A whole ISBI slice: ~150 cells, two pages of the table.
  await openApp(page);
  await dropFiles(page, [isbiCrop(0, 0, 0, 512)]);
  await page.getByTestId('model-select').selectOption('em-membranes');
  await expect(page.getByTestId('model-facts')).toHaveAttribute('data-model-name', 'em-membranes');
  await page.getByTestId('segment-current').click();
  const count = page.getByTestId('object-count');
  await expect(count).toHaveAttribute('data-fresh', 'true', { timeout: 120_000 });
  const objects = Number(await count.getAttribute('data-value'));
  expect(objects).toBeGreaterThan(100);

  const table = page.getByTestId('measure-table');
  await expect(table).toHaveAttribute('data-rows', String(objects));
  const rows = page.getByTestId('measure-row');
  await expect(rows.first()).toBeVisible();
  expect(await rows.count()).toBeLessThan(60);

  await page.getByTestId('sort-area').click();
  await page.getByTestId('sort-area').click();
  await expect(page.getByTestId('sort-area')).toHaveAttribute('aria-sort', 'descending');

  // Scroll the box down step by step, collecting the rendered rows by their place in the page.
  const seen = new Map<number, { id: string; area: number }>();
  const collect = async () => {
    const got = await rows.evaluateAll((trs) =>
      trs.map((tr) => ({ index: Number(tr.getAttribute('aria-rowindex')), id: tr.getAttribute('data-id') ?? '', area: Number(tr.querySelector('td[data-col="area"]')?.getAttribute('data-value')) })),
    );
    for (const r of got) {
      const before = seen.get(r.index);
      // A row seen twice (in two windows) is the same row.
      if (before) expect(before.id).toBe(r.id);
      seen.set(r.index, { id: r.id, area: r.area });
    }
  };
  await collect();
  const box = page.locator('.table-scroll');
  for (let step = 1; step < 80; step++) {
    const window = await table.getAttribute('data-window');
    const atEnd = await box.evaluate((el) => {
      el.scrollTop += el.clientHeight / 2;
      return el.scrollTop + el.clientHeight >= el.scrollHeight - 1;
    });
    if (!atEnd) await expect(table).not.toHaveAttribute('data-window', window ?? '');
    else await page.waitForTimeout(200);
    await collect();
    if (atEnd) break;
  }
  // Rows 2..101 (row 1 is the header): the whole first page, each once, largest first.
  expect([...seen.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, k) => k + 2));
  expect(new Set([...seen.values()].map((r) => r.id)).size).toBe(100);
  const areas = [...seen.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r.area);
  expect(areas).toEqual([...areas].sort((a, b) => b - a));
  // Fewer rows in the DOM than the page holds, even scrolled to the end.
  expect(await rows.count()).toBeLessThan(60);

  await page.getByTestId('measurements-panel').screenshot({ path: test.info().outputPath('scrolled-table.png') });

  // The last row of the page, scrolled into view, locates its object.
  const last = page.locator('[data-testid="measure-row"][aria-rowindex="101"]');
  const id = await last.getAttribute('data-id');
  await last.click();
  await expect(page.getByTestId('object-highlight')).toHaveAttribute('data-object-id', id ?? '');
  await expect(last).toHaveAttribute('aria-selected', 'true');

  // The next page starts at its top with smaller objects.
  await page.getByTestId('measure-next').click();
  await expect(table).toHaveAttribute('data-page', '1');
  await expect(rows.first()).toHaveAttribute('aria-rowindex', '2');
  const firstOfNext = Number(await rows.first().locator('td[data-col="area"]').getAttribute('data-value'));
  expect(firstOfNext).toBeLessThanOrEqual(areas[areas.length - 1]);
  expect(console.errors).toEqual([]);
});
