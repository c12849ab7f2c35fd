/*
 * A lost WebGPU device (driver reset, GPU removed, a test hook's device.destroy()) takes every tensor with
 * it, and reads in flight may never settle. backend.ts signals the loss here and re-creates the device; a
 * segmentation races its work against the loss, and on a loss (modelHandlers.ts) waits for the new device,
 * rebuilds every model from its CPU copy and runs the whole image again, so no half-written result leaves
 * the worker. No tfjs or backend imports: Node tests load this through modelHandlers.
 */

/** Resolves when the WebGPU device in use is lost (a new signal per device). */
interface LossSignal {
  readonly promise: Promise<void>;
  resolve(): void;
}

function createLossSignal(): LossSignal {
  let resolve = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

let lossSignal = createLossSignal();
let recovery: Promise<void> = Promise.resolve();

/** Resolves when the current WebGPU device is lost; never for the other backends. */
export function whenDeviceLost(): Promise<void> {
  return lossSignal.promise;
}

/** Settles when the backend re-created after the last device loss is ready (rejects when it could not be). */
export function deviceRecovered(): Promise<void> {
  return recovery;
}

/** backend.ts: the device was lost and `recreating` makes a new one; wakes everything racing the old one. */
export function signalDeviceLoss(recreating: Promise<void>): void {
  const lost = lossSignal;
  lossSignal = createLossSignal();
  recovery = recreating;
  recovery.catch(() => undefined);
  lost.resolve();
}

/** The error a computation ends with when the device went away under it. */
export class DeviceLostError extends Error {
  override readonly name = 'DeviceLostError';
  constructor() {
    super('The GPU device was lost during the computation.');
  }
}

export function isDeviceLostError(error: unknown): boolean {
  return error instanceof DeviceLostError || (error instanceof Error && error.name === 'DeviceLostError');
}

/** How long a failed read may wait for the loss to be reported before its error counts as its own. */
const LOSS_REPORT_MS = 1000;

/**
 * `work`'s result, or a DeviceLostError as soon as `lost` resolves (`work` may then never settle); a failure
 * of `work` followed by a loss within a second is also a DeviceLostError.
 */
export async function raceDeviceLoss<T>(work: Promise<T>, lost: Promise<void>): Promise<T> {
  work.catch(() => undefined);
  const onLoss = lost.then((): never => {
    throw new DeviceLostError();
  });
  onLoss.catch(() => undefined);
  try {
    return await Promise.race([work, onLoss]);
  } catch (error) {
    if (isDeviceLostError(error)) throw error;
    const lateLoss = await Promise.race([
      lost.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), LOSS_REPORT_MS)),
    ]);
    throw lateLoss ? new DeviceLostError() : error;
  }
}

let lossSimulator: (() => void) | null = null;

/** backend.ts: how to fake a loss of the device now in use (for the test hooks). */
export function registerLossSimulator(simulate: () => void): void {
  lossSimulator = simulate;
}

/** Test hooks: destroys the WebGPU device in use and reports the loss; false when no device is in use. */
export function simulateDeviceLoss(): boolean {
  const simulate = lossSimulator;
  lossSimulator = null;
  simulate?.();
  return simulate !== null;
}
