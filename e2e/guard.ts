import { test as base, expect, type Page, type Worker } from '@playwright/test';
import { cspReportPath } from '../csp.config';

/*
 * The `test` every e2e spec uses: Playwright's, with a guard that runs around each test and fails it when
 * - the Content-Security-Policy (csp.config.ts) refused anything, in the page or in any of its workers
 *   (a `securitypolicyviolation` event, or Chromium's "Refused to ..." console message), or
 * - the page, its workers or a service worker asked another origin for anything (data: and blob: are the
 *   page's own).
 * Violations come from three places: the page's `securitypolicyviolation` events, the reports that the
 * preview's header policy sends to cspReportPath (the only channel from a worker that starts with a
 * violation), and "Refused to ..." console lines. A test that provokes violations on purpose `allow`s them.
 */

export { expect };

export interface Guard {
  /** What the CSP refused so far, one line each, page and workers. */
  readonly violations: string[];
  /** Every URL requested so far by the page, its workers and service workers, in order. */
  readonly requests: string[];
  /** Requested URLs on an origin other than the app's (data: and blob: excepted). */
  readonly foreign: string[];
  /** Violations matching `pattern` do not fail the test (for a test that provokes them). */
  allow(pattern: RegExp): void;
}

const refused = /Refused to|Content[- ]Security[- ]Policy|securitypolicyviolation/i;

/** Registers the violation listener inside a worker; it reports through the worker's console. */
function watchWorker(worker: Worker, violations: string[]): void {
  worker.on('console', (msg) => {
    if (refused.test(msg.text())) violations.push(`worker ${worker.url()}: ${msg.text()}`);
  });
  worker
    .evaluate(() => {
      self.addEventListener('securitypolicyviolation', (e) => {
        console.error(`securitypolicyviolation: ${e.effectiveDirective} refused ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
      });
    })
    .catch(() => undefined); // a worker that is already gone cannot report anything any more
}

async function watchPage(page: Page, violations: string[]): Promise<void> {
  await page.exposeFunction('__reportCspViolation', (line: string) => violations.push(`page: ${line}`));
  await page.addInitScript(() => {
    const report = (window as unknown as { __reportCspViolation: (line: string) => void }).__reportCspViolation;
    window.addEventListener(
      'securitypolicyviolation',
      (e) => report(`${e.effectiveDirective} refused ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`),
      true,
    );
  });
  page.on('console', (msg) => {
    if (refused.test(msg.text())) violations.push(`page console: ${msg.text()}`);
  });
  page.on('worker', (worker) => watchWorker(worker, violations));
}

export const test = base.extend<{ guard: Guard }>({
  guard: [
    async ({ page, context, baseURL }, use) => {
      const origin = new URL(baseURL!).origin;
      const allowed: RegExp[] = [];
      const guard: Guard = { violations: [], requests: [], foreign: [], allow: (pattern) => allowed.push(pattern) };
      const seen = new Set<unknown>();
      const record = (request: { url(): string }) => {
        if (seen.has(request)) return; // the page and its context both report the page's requests
        seen.add(request);
        const url = request.url();
        guard.requests.push(url);
        if (!/^(data|blob):/.test(url) && new URL(url).origin !== origin) guard.foreign.push(url);
      };
      await context.route(`**${cspReportPath}`, async (route) => {
        guard.violations.push(`report: ${route.request().postData()}`);
        await route.fulfill({ status: 204 });
      });
      context.on('request', record);
      page.on('request', record);
      await watchPage(page, guard.violations);
      await use(guard);
      const violations = guard.violations.filter((v) => !allowed.some((pattern) => pattern.test(v)));
      expect(violations, 'the Content-Security-Policy refused something').toEqual([]);
      expect(guard.foreign, 'requests to another origin').toEqual([]);
    },
    { auto: true },
  ],
});
