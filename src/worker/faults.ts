import type { ForwardFn } from '../model/segment';
import type { Segmenter } from '../model/types';
import { simulateDeviceLoss } from './deviceLoss';
import type { TestHooks } from './testHooks';

/* The worker's side of the test hooks (testHooks.ts): what is armed, and the faults themselves. */

let armed: { -readonly [K in keyof TestHooks]: TestHooks[K] } = {};

/** Worker: arms the hooks (replacing any armed before). */
export function installTestHooks(hooks: TestHooks): void {
  armed = { ...hooks };
}

/** Worker, at the start of a segmentation: never returns when `crashOnSegment` is armed. */
export async function crashIfArmed(): Promise<void> {
  if (!armed.crashOnSegment) return;
  armed.crashOnSegment = false;
  await new Promise<never>(() => {
    setTimeout(() => {
      throw new Error('test hook: the model worker crashed');
    }, 0);
  });
}

/** Worker: a forward pass that injects the armed fault, or undefined (segmentPlane's own) when none is. */
export function faultyForward(segmenter: Segmenter): ForwardFn | undefined {
  if (!armed.oomOnFirstTile && !armed.loseDeviceMidSegment) return undefined;
  const oom = armed.oomOnFirstTile === true;
  const lose = armed.loseDeviceMidSegment === true;
  armed.oomOnFirstTile = false;
  armed.loseDeviceMidSegment = false;
  let calls = 0;
  return (x) => {
    calls++;
    if (oom && calls === 1) throw Object.assign(new Error('test hook: out of memory allocating the first tile'), { name: 'GPUOutOfMemoryError' });
    const y = segmenter.predictTile(x);
    if (lose && calls === 1) simulateDeviceLoss();
    return y;
  };
}
