import { describe, expect, it } from 'vitest';
import { createDispatcher, type Handlers, type Post } from './handle';
import type { WorkerResponse } from './protocol';

function recorder(): { post: Post; messages: WorkerResponse[]; transfers: ArrayBuffer[][] } {
  const messages: WorkerResponse[] = [];
  const transfers: ArrayBuffer[][] = [];
  return {
    messages,
    transfers,
    post: (m, t) => {
      messages.push(m);
      transfers.push(t);
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('worker dispatcher', () => {
  it('answers a request with the result of its command, with progress first and buffers transferred', async () => {
    const rec = recorder();
    const handlers: Handlers = {
      benchmark: async (params, ctx) => {
        ctx.progress({ elapsedMs: 1, iterations: 1 });
        const buffer = new Float32Array(4).buffer;
        ctx.transfer(buffer);
        return { backend: 'cpu', iterations: params.size, ms: params.durationMs, gflops: 1 };
      },
    };
    const handle = createDispatcher(handlers, rec.post);
    await handle({ type: 'benchmark', id: 7, params: { durationMs: 5, size: 3 } });
    expect(rec.messages.map((m) => m.type)).toEqual(['progress', 'result']);
    const last = rec.messages[1];
    expect(last).toMatchObject({ type: 'result', id: 7, command: 'benchmark', result: { iterations: 3, ms: 5 } });
    expect(rec.transfers[1]).toHaveLength(1);
    expect(rec.transfers[1][0].byteLength).toBe(16);
  });

  it('stops a cancelled request and reports cancellation, not a result', async () => {
    const rec = recorder();
    let iterations = 0;
    const handle = createDispatcher(
      {
        benchmark: async (_params, ctx) => {
          while (!ctx.signal.aborted) {
            iterations++;
            ctx.progress({ elapsedMs: iterations, iterations });
            await sleep(2);
          }
          throw Object.assign(new Error('stopped'), { name: 'AbortError' });
        },
      },
      rec.post,
    );
    const running = handle({ type: 'benchmark', id: 1, params: { durationMs: 1e9, size: 8 } });
    await sleep(20);
    await handle({ type: 'cancel', id: 2, target: 1 });
    await running;
    const countAtCancel = iterations;
    await sleep(20);
    expect(iterations).toBe(countAtCancel);
    expect(rec.messages.at(-1)).toEqual({ type: 'cancelled', id: 1 });
    expect(rec.messages.some((m) => m.type === 'result')).toBe(false);
  });

  it('answers an unknown request type with a clear error instead of crashing', async () => {
    const rec = recorder();
    const handle = createDispatcher({ selfTest: async () => ({ target: 'conv', backend: 'cpu', maxAbsDiff: 0, outputSum: 0, ms: 0 }) }, rec.post);
    await handle({ type: 'makeCoffee', id: 3, params: {} });
    expect(rec.messages).toHaveLength(1);
    const msg = rec.messages[0];
    expect(msg.type).toBe('error');
    if (msg.type === 'error') {
      expect(msg.id).toBe(3);
      expect(msg.error.message).toContain('Unknown request type "makeCoffee"');
      expect(msg.error.message).toContain('selfTest');
    }
    // The dispatcher still works afterwards.
    await handle({ type: 'selfTest', id: 4, params: { target: 'conv', size: 4, channels: 1, seed: 1 } });
    expect(rec.messages[1]).toMatchObject({ type: 'result', id: 4 });
  });

  it('reports an AbortError that nobody asked for as an error, not as a cancellation', async () => {
    const rec = recorder();
    const handle = createDispatcher(
      { selfTest: async () => Promise.reject(Object.assign(new Error('Device is lost'), { name: 'AbortError' })) },
      rec.post,
    );
    await handle({ type: 'selfTest', id: 9, params: { target: 'conv', size: 4, channels: 1, seed: 1 } });
    expect(rec.messages).toHaveLength(1);
    expect(rec.messages[0]).toMatchObject({ type: 'error', id: 9, error: { name: 'OperationAborted' } });
    if (rec.messages[0].type === 'error') expect(rec.messages[0].error.message).toContain('Device is lost');
  });

  it('turns a malformed message and a throwing handler into error responses', async () => {
    const rec = recorder();
    const handle = createDispatcher({ selfTest: async () => Promise.reject(new RangeError('bad size')) }, rec.post);
    await handle('not an object');
    await handle({ type: 'selfTest', id: 5, params: { target: 'conv', size: -1, channels: 1, seed: 1 } });
    expect(rec.messages[0]).toMatchObject({ type: 'error', id: -1, error: { name: 'ProtocolError' } });
    expect(rec.messages[1]).toEqual({ type: 'error', id: 5, error: { name: 'RangeError', message: 'bad size' } });
  });

  it('queues jobs: a cancelled waiting request never runs, an immediate one runs while a job is going on', async () => {
    const rec = recorder();
    const ran: string[] = [];
    let release = () => {};
    const handle = createDispatcher(
      {
        benchmark: async (params) => {
          ran.push(`benchmark ${params.size}`);
          if (params.size === 1) await new Promise<void>((r) => (release = r));
          return { backend: 'cpu', iterations: 0, ms: 0, gflops: 0 };
        },
        stopFineTune: async ({ runId }) => {
          ran.push(`stop ${runId}`);
          return { stopping: true };
        },
      },
      rec.post,
      { modes: { benchmark: 'exclusive', stopFineTune: 'immediate' } },
    );
    const first = handle({ type: 'benchmark', id: 1, params: { durationMs: 0, size: 1 } });
    const second = handle({ type: 'benchmark', id: 2, params: { durationMs: 0, size: 2 } });
    await handle({ type: 'stopFineTune', id: 3, params: { runId: 'r' } });
    expect(ran).toEqual(['benchmark 1', 'stop r']);
    await handle({ type: 'cancel', id: 4, target: 2 });
    await second;
    expect(rec.messages.at(-1)).toEqual({ type: 'cancelled', id: 2 });
    release();
    await first;
    expect(ran).toEqual(['benchmark 1', 'stop r']);
    expect(rec.messages.map((m) => [m.type, 'id' in m ? m.id : 0])).toEqual([
      ['result', 3],
      ['cancelled', 2],
      ['result', 1],
    ]);
  });

  it('moves the buffers of a progress payload and lets a job yield to waiting interleave jobs', async () => {
    const rec = recorder();
    const log: string[] = [];
    let step = 0;
    const handle = createDispatcher(
      {
        benchmark: async (_params, ctx) => {
          for (step = 1; step <= 3; step++) {
            await sleep(2);
            const buffer = new Float32Array(2).buffer;
            ctx.progress({ elapsedMs: step, iterations: step }, [buffer]);
            log.push(`step ${step}`);
            await ctx.yieldToWaiting();
          }
          return { backend: 'cpu', iterations: 3, ms: 0, gflops: 0 };
        },
        selfTest: async () => {
          log.push('self-test');
          return { target: 'conv', backend: 'cpu', maxAbsDiff: 0, outputSum: 0, ms: 0 };
        },
      },
      rec.post,
      { modes: { benchmark: 'exclusive', selfTest: 'interleave' } },
    );
    const long = handle({ type: 'benchmark', id: 1, params: { durationMs: 0, size: 1 } });
    await sleep(1);
    const short = handle({ type: 'selfTest', id: 2, params: { target: 'conv', size: 4, channels: 1, seed: 1 } });
    await Promise.all([long, short]);
    expect(log.indexOf('self-test')).toBeGreaterThan(0);
    expect(log.indexOf('self-test')).toBeLessThan(log.length - 1);
    const progress = rec.messages.findIndex((m) => m.type === 'progress');
    expect(rec.transfers[progress]).toHaveLength(1);
    expect(rec.transfers[progress][0].byteLength).toBe(8);
  });
});
