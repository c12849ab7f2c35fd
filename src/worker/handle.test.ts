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
});
