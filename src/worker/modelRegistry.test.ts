import { describe, expect, it } from 'vitest';
import { createModelRegistry } from './modelRegistry';

class FakeModel {
  disposed = false;
  constructor(readonly name: string) {}
  dispose(): void {
    if (this.disposed) throw new Error(`${this.name} disposed twice`);
    this.disposed = true;
  }
}

describe('model registry', () => {
  it('loads a model on first use only, even when two jobs ask at the same time', async () => {
    const registry = createModelRegistry<FakeModel>();
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 5));
      return new FakeModel('nuclei');
    };
    const [a, b] = await Promise.all([registry.acquire('nuclei', load), registry.acquire('nuclei', load)]);
    const c = await registry.acquire('nuclei', load);
    expect(loads).toBe(1);
    expect(a.model).toBe(b.model);
    expect(c.model).toBe(a.model);
    expect(registry.leases('nuclei')).toBe(3);
    a.release();
    a.release();
    b.release();
    c.release();
    expect(registry.leases('nuclei')).toBe(0);
    expect(a.model.disposed).toBe(false);
  });

  it('a failed load is not cached: the next request loads again', async () => {
    const registry = createModelRegistry<FakeModel>();
    await expect(registry.acquire('em', async () => Promise.reject(new Error('HTTP 404')))).rejects.toThrow('HTTP 404');
    const lease = await registry.acquire('em', async () => new FakeModel('em'));
    expect(lease.model.name).toBe('em');
    lease.release();
  });

  it('an unknown id without a loader (a fine-tuned model from before a reload) gets a clear error', async () => {
    const registry = createModelRegistry<FakeModel>();
    await expect(registry.acquire('em~tuned-1')).rejects.toThrow(/not loaded in this session/);
  });

  it('removing a model that a job uses disposes it only when the job releases it', async () => {
    const registry = createModelRegistry<FakeModel>();
    registry.add('tuned-1', new FakeModel('tuned-1'));
    const lease = await registry.acquire('tuned-1');
    registry.remove('tuned-1');
    expect(lease.model.disposed).toBe(false);
    expect(registry.ids()).toEqual([]);
    lease.release();
    expect(lease.model.disposed).toBe(true);
    await expect(registry.acquire('tuned-1')).rejects.toThrow(/not loaded/);
  });

  it('keeps every model: adding a fine-tuned copy never drops the one it came from', async () => {
    const registry = createModelRegistry<FakeModel>();
    const parent = await registry.acquire('em', async () => new FakeModel('em'));
    registry.add('em~tuned-1', new FakeModel('em tuned'));
    parent.release();
    expect(registry.ids()).toEqual(['em', 'em~tuned-1']);
    expect(registry.peek('em')?.disposed).toBe(false);
    expect(() => registry.add('em~tuned-1', new FakeModel('again'))).toThrow(/exists already/);
  });

  it('swaps a model only while no job holds it', async () => {
    const registry = createModelRegistry<FakeModel>();
    const lease = await registry.acquire('nuclei', async () => new FakeModel('cpu copy'));
    expect(() => registry.swap('nuclei', new FakeModel('gpu copy'))).toThrow(/while a job uses it/);
    lease.release();
    const old = registry.swap('nuclei', new FakeModel('gpu copy'));
    expect(old.name).toBe('cpu copy');
    expect(registry.peek('nuclei')?.name).toBe('gpu copy');
  });
});
