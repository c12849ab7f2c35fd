/*
 * Faults the e2e and worker tests inject into the model worker (issue 12); the worker's side is faults.ts.
 * Inert in production: the page forwards hooks only when `globalThis.__unetTestHooks` exists when the
 * worker starts, which only a test's `page.addInitScript` sets (the CSP allows no inline script that
 * could); without them nothing is armed. Each hook fires once. No tfjs here: the main thread imports it.
 */

/** The faults a test can arm. */
export interface TestHooks {
  /** The first forward pass of the next segmentation throws an out-of-memory error (as WebGPU does). */
  readonly oomOnFirstTile?: boolean;
  /** After the first forward pass of the next segmentation, the WebGPU device is destroyed. */
  readonly loseDeviceMidSegment?: boolean;
  /** The next segmentation never answers: an uncaught error kills the worker while it is pending. */
  readonly crashOnSegment?: boolean;
}

export const TEST_HOOKS_MESSAGE = '__unetTestHooks';

export interface TestHooksMessage {
  readonly type: typeof TEST_HOOKS_MESSAGE;
  readonly hooks: TestHooks;
}

export function isTestHooksMessage(data: unknown): data is TestHooksMessage {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === TEST_HOOKS_MESSAGE;
}

/** Main thread: the hooks the page was opened with, as the message for a new worker, or null. */
export function testHooksMessage(): TestHooksMessage | null {
  const hooks = (globalThis as { __unetTestHooks?: TestHooks }).__unetTestHooks;
  return hooks ? { type: TEST_HOOKS_MESSAGE, hooks: { ...hooks } } : null;
}
