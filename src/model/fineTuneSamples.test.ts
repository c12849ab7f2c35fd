import { describe, expect, it } from 'vitest';
import { checkFineTuneLabels, prepareFineTuneSamples } from './fineTuneSamples';
import { discs, paint, sample } from './fixtures/discs';

describe('checkFineTuneLabels', () => {
  const d = discs(64, 2);
  const only = (cls: number): Uint8Array => d.truth.map((l) => (l === cls ? l : 0));

  it('accepts both classes painted with enough pixels', () => {
    expect(checkFineTuneLabels([sample(d, paint(d.truth, 64, [[0, 0, 20, 20], [30, 30, 50, 50]]))])).toBeNull();
  });

  it('explains what is missing', () => {
    expect(checkFineTuneLabels([])).toMatch(/No image/);
    expect(checkFineTuneLabels([sample(d, new Uint8Array(64 * 64))])).toMatch(/Nothing is painted/);
    expect(checkFineTuneLabels([sample(d, only(2))])).toMatch(/Only foreground/);
    expect(checkFineTuneLabels([sample(d, only(1))])).toMatch(/Only background/);
    const few = new Uint8Array(64 * 64);
    few.fill(1, 0, 10);
    few.fill(2, 100, 110);
    expect(checkFineTuneLabels([sample(d, few)])).toMatch(/Only 20 pixels .* at least 50/);
    // Every foreground stroke held out: nothing to learn the foreground from.
    expect(checkFineTuneLabels([sample(d, only(1), only(2))])).toMatch(/foreground stroke is held out/);
    expect(checkFineTuneLabels([sample(d, new Uint8Array(10))])).toMatch(/do not match its size/);
  });
});

describe('prepareFineTuneSamples', () => {
  it('re-prepares only samples whose labels changed, and computes a teacher once per image', async () => {
    const a = discs(48, 1);
    const b = discs(48, 2);
    let teacherCalls = 0;
    const teacher = async (): Promise<Float32Array> => {
      teacherCalls++;
      return new Float32Array(48 * 48).fill(0.5);
    };
    const loss = { w0: 10, sigma: 5, balanceClasses: true, objectClass: 2 } as const;
    const first = await prepareFineTuneSamples([sample(a, a.truth), sample(b, b.truth)], { loss, teacher });
    expect(teacherCalls).toBe(2);
    // Same labels (a fresh but equal array) for a, new strokes on b.
    const changed = paint(b.truth, 48, [[0, 0, 20, 20]]);
    const second = await prepareFineTuneSamples([sample(a, a.truth.slice()), sample(b, changed)], { loss, teacher }, first);
    expect(teacherCalls).toBe(2);
    expect(second[0].prepared.weights).toBe(first[0].prepared.weights);
    expect(second[1].prepared.weights).not.toBe(first[1].prepared.weights);
    expect(second[1].prepared.labelled.length).toBe(400);
    expect(second[1].prepared.teacher).toBe(first[1].teacher);
  });

  it('leaves held-out pixels out of the distillation (teacher marked -1 there)', async () => {
    const a = discs(48, 1);
    const held = paint(a.truth, 48, [[0, 0, 10, 10]]);
    const teacher = async (): Promise<Float32Array> => new Float32Array(48 * 48).fill(0.25);
    const loss = { w0: 0, sigma: 5, balanceClasses: false, objectClass: 2 } as const;
    const [p] = await prepareFineTuneSamples([sample(a, paint(a.truth, 48, [[20, 20, 40, 40]]), held)], { loss, teacher });
    const plane = p.prepared.teacher!;
    expect(plane[5 * 48 + 5]).toBe(-1);
    expect(plane[30 * 48 + 30]).toBe(0.25);
    // The cached plane of the image stays whole, for when the held-out set changes.
    expect(p.teacher![5 * 48 + 5]).toBe(0.25);
    // A 3-class teacher (interior, boundary per pixel): both values of a held-out pixel are marked.
    const pairs = async (): Promise<Float32Array> => new Float32Array(48 * 48 * 2).fill(0.25);
    const [q] = await prepareFineTuneSamples([sample(a, paint(a.truth, 48, [[20, 20, 40, 40]]), held)], { loss, teacher: pairs });
    const values = q.prepared.teacher!;
    expect([values[2 * (5 * 48 + 5)], values[2 * (5 * 48 + 5) + 1]]).toEqual([-1, -1]);
    expect([values[2 * (30 * 48 + 30)], values[2 * (30 * 48 + 30) + 1]]).toEqual([0.25, 0.25]);
  });

  it('with a distillation margin, leaves the pixels within it of any painted pixel out too', async () => {
    const a = discs(48, 1);
    // Training square x 20-29, y 20-29; held-out square x 0-9, y 0-9.
    const train = paint(a.truth, 48, [[20, 20, 30, 30]]);
    const held = paint(a.truth, 48, [[0, 0, 10, 10]]);
    const teacher = async (): Promise<Float32Array> => new Float32Array(48 * 48).fill(0.25);
    const loss = { w0: 0, sigma: 5, balanceClasses: false, objectClass: 2 } as const;
    const [p] = await prepareFineTuneSamples([sample(a, train, held)], { loss, teacher, distillationMargin: 3 });
    const at = (x: number, y: number): number => p.prepared.teacher![y * 48 + x];
    // 3 px right of the training square's last column (x 29) is in, 4 px is out; diagonals by distance.
    expect(at(32, 25)).toBe(-1);
    expect(at(33, 25)).toBe(0.25);
    expect(at(31, 31)).toBe(-1); // sqrt(8) <= 3
    expect(at(32, 32)).toBe(0.25); // sqrt(18) > 3
    // Around the held-out square as well, and far from both the teacher is kept.
    expect(at(12, 5)).toBe(-1);
    expect(at(13, 5)).toBe(0.25);
    expect(at(45, 45)).toBe(0.25);
    // Without the margin only the held-out pixels themselves are marked.
    const [q] = await prepareFineTuneSamples([sample(a, train, held)], { loss, teacher });
    expect(q.prepared.teacher![25 * 48 + 32]).toBe(0.25);
    expect(q.prepared.teacher![25 * 48 + 25]).toBe(0.25);
  });
});
