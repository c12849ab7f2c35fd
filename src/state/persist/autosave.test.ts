import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useStudio } from '../store';
import { createDebouncer, diffState, isClean } from './autosave';

describe('the autosave debounce', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('writes once, the delay after the last change', async () => {
    const writes: number[] = [];
    const saver = createDebouncer(600, async () => {
      writes.push(Date.now());
    });
    const t0 = Date.now();
    for (let k = 0; k < 5; k++) {
      saver.schedule();
      await vi.advanceTimersByTimeAsync(300);
    }
    expect(writes).toEqual([]);
    await vi.advanceTimersByTimeAsync(300);
    expect(writes).toEqual([t0 + 1800]);
    expect(saver.pending).toBe(false);
  });

  it('flush writes now; nothing scheduled, nothing written', async () => {
    const action = vi.fn(async () => {});
    const saver = createDebouncer(600, action);
    await saver.flush();
    expect(action).not.toHaveBeenCalled();
    saver.schedule();
    await saver.flush();
    expect(action).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(action).toHaveBeenCalledTimes(1);
  });

  it('a change during a write is written right after it, never alongside', async () => {
    let running = 0;
    let most = 0;
    let calls = 0;
    let release: () => void = () => {};
    const saver = createDebouncer(100, async () => {
      calls++;
      running++;
      most = Math.max(most, running);
      await new Promise<void>((r) => (release = r));
      running--;
    });
    saver.schedule();
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toBe(1);
    const flushed = saver.flush();
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(2);
    release();
    await flushed;
    expect(most).toBe(1);
  });
});

describe('what a store change marks dirty', () => {
  it('a stroke marks its image\'s labels; a segmentation its results; a rename the models; a pointer move nothing', () => {
    const a = useStudio.getState();
    const stroke = { ...a, labelStats: { ...a.labelStats, img: { background: 1, foreground: 0, edited: true, undoDepth: 1, redoDepth: 0 } } };
    const d1 = diffState(a, stroke);
    expect([...d1.labels]).toEqual(['img']);
    expect(d1.results.size + Number(d1.images) + Number(d1.models) + Number(d1.settings)).toBe(0);
    expect([...diffState(a, { ...a, segmented: { img: ['rev=1|ch=mean'] } }).results]).toEqual(['img']);
    expect(diffState(a, { ...a, models: [...a.models] }).models).toBe(true);
    expect(diffState(a, { ...a, diameterOverrides: { img: 30 } }).settings).toBe(true);
    // A new overlays object with the same values is no settings change.
    expect(diffState(a, { ...a, overlays: { ...a.overlays } }).settings).toBe(false);
    expect(diffState(a, { ...a, selectedId: 'img' }).session).toBe(true);
    expect(isClean(diffState(a, { ...a }))).toBe(true);
  });
});
