import { describe, expect, it } from 'vitest';
import { createJobQueue } from './jobQueue';

/** A promise with its resolve handle, to hold a job open until the test lets it finish. */
function gate(): { promise: Promise<void>; open(): void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('job queue', () => {
  it('runs jobs one at a time, in arrival order', async () => {
    const queue = createJobQueue();
    const log: string[] = [];
    let concurrent = 0;
    let maxConcurrent = 0;
    const job = (name: string) => async () => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      concurrent--;
      return name;
    };
    const results = await Promise.all([
      queue.run(job('a'), { label: 'a', mode: 'exclusive' }),
      queue.run(job('b'), { label: 'b', mode: 'interleave' }),
      queue.run(job('c'), { label: 'c', mode: 'exclusive' }),
    ]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(maxConcurrent).toBe(1);
  });

  it('a failing job rejects its own promise and the queue goes on with the next', async () => {
    const queue = createJobQueue();
    const failing = queue.run(async () => Promise.reject(new RangeError('bad tile')), { label: 'bad', mode: 'exclusive' });
    const next = queue.run(async () => 42, { label: 'next', mode: 'exclusive' });
    await expect(failing).rejects.toThrow('bad tile');
    await expect(next).resolves.toBe(42);
    expect(queue.snapshot()).toEqual({ running: [], waiting: [] });
  });

  it('cancelling a waiting job removes it without running it; the others still run', async () => {
    const queue = createJobQueue();
    const hold = gate();
    const ran: string[] = [];
    const first = queue.run(async () => {
      ran.push('first');
      await hold.promise;
    }, { label: 'first', mode: 'exclusive' });
    const controller = new AbortController();
    const second = queue.run(async () => {
      ran.push('second');
    }, { label: 'second', mode: 'exclusive', signal: controller.signal });
    const third = queue.run(async () => {
      ran.push('third');
    }, { label: 'third', mode: 'exclusive' });
    expect(queue.snapshot()).toEqual({ running: ['first'], waiting: ['second', 'third'] });
    controller.abort();
    await expect(second).rejects.toMatchObject({ name: 'AbortError' });
    expect(queue.snapshot().waiting).toEqual(['third']);
    hold.open();
    await Promise.all([first, third]);
    expect(ran).toEqual(['first', 'third']);
  });

  it('a job whose signal is already aborted is refused at once', async () => {
    const queue = createJobQueue();
    const controller = new AbortController();
    controller.abort();
    let ran = false;
    await expect(queue.run(async () => void (ran = true), { label: 'late', mode: 'interleave', signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(ran).toBe(false);
  });

  it('interleave jobs run at the running job\'s safe points; exclusive ones wait for its end', async () => {
    const queue = createJobQueue();
    const log: string[] = [];
    const arrived = gate();
    const training = queue.run(async () => {
      for (let step = 1; step <= 3; step++) {
        log.push(`step ${step}`);
        if (step === 1) await arrived.promise;
        await queue.yieldToWaiting();
      }
      return 'trained';
    }, { label: 'fineTune', mode: 'exclusive' });
    const otherTraining = queue.run(async () => void log.push('second fine-tune'), { label: 'fineTune 2', mode: 'exclusive' });
    const segment = queue.run(async () => {
      log.push('segment');
      // A safe point of the interleaved job itself must not start more work inside it.
      await queue.yieldToWaiting();
      return 'segmented';
    }, { label: 'segment', mode: 'interleave' });
    arrived.open();
    expect(await segment).toBe('segmented');
    expect(await training).toBe('trained');
    await otherTraining;
    expect(log).toEqual(['step 1', 'segment', 'step 2', 'step 3', 'second fine-tune']);
  });

  it('a safe point runs only the jobs that were waiting when it was reached', async () => {
    const queue = createJobQueue();
    const log: string[] = [];
    const training = queue.run(async () => {
      await tick();
      await queue.yieldToWaiting();
      log.push('step');
    }, { label: 'fineTune', mode: 'exclusive' });
    const first = queue.run(async () => {
      log.push('segment 1');
      // Arrives while the safe point is being served: it waits for the next safe point (or the end).
      void queue.run(async () => void log.push('segment 2'), { label: 'segment 2', mode: 'interleave' });
    }, { label: 'segment 1', mode: 'interleave' });
    await Promise.all([training, first]);
    await tick();
    expect(log).toEqual(['segment 1', 'step', 'segment 2']);
  });

  it('cancelling the running job reaches it through its signal: it returns what it finished, and the queue goes on', async () => {
    const queue = createJobQueue();
    const controller = new AbortController();
    const started = gate();
    const done: number[] = [];
    const batch = queue.run(async (signal) => {
      for (let image = 1; image <= 5 && !signal.aborted; image++) {
        if (image === 3) {
          started.open();
          await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
          break;
        }
        await tick();
        done.push(image);
      }
      return [...done];
    }, { label: 'segment all', mode: 'exclusive', signal: controller.signal });
    const after = queue.run(async () => 'next', { label: 'next', mode: 'interleave' });
    await started.promise;
    expect(queue.snapshot()).toEqual({ running: ['segment all'], waiting: ['next'] });
    controller.abort();
    expect(await batch).toEqual([1, 2]);
    expect(await after).toBe('next');
    await tick();
    expect(queue.snapshot()).toEqual({ running: [], waiting: [] });
  });

  it('a failing job in the middle of several leaves the order of the others intact', async () => {
    const queue = createJobQueue();
    const log: string[] = [];
    const job = (name: string, fail = false) => async () => {
      await tick();
      log.push(name);
      if (fail) throw new Error(`${name} failed`);
      return name;
    };
    const results = await Promise.allSettled([
      queue.run(job('a'), { label: 'a', mode: 'exclusive' }),
      queue.run(job('b', true), { label: 'b', mode: 'interleave' }),
      queue.run(job('c'), { label: 'c', mode: 'interleave' }),
    ]);
    expect(log).toEqual(['a', 'b', 'c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
