import { describe, expect, it } from 'vitest';
import { scoreOnLabels } from './labelScore';

describe('scoreOnLabels', () => {
  it('scores only labelled pixels: cross-entropy, accuracy and foreground IoU', () => {
    // Pixels: unlabelled, fg p=0.9 (right), fg p=0.2 (missed), bg p=0.6 (false fg), bg p=0.1 (right).
    const probs = [0.99, 0.9, 0.2, 0.6, 0.1];
    const labels = new Uint8Array([0, 2, 2, 1, 1]);
    const s = scoreOnLabels(probs, labels);
    expect(s.pixels).toBe(4);
    expect(s.pixelAccuracy).toBeCloseTo(0.5, 12);
    expect(s.foregroundIou).toBeCloseTo(1 / 3, 12);
    expect(s.loss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.2) + Math.log(0.4) + Math.log(0.9)) / 4, 9);
  });

  it('stays finite at certain wrong answers and handles no foreground', () => {
    const s = scoreOnLabels([1, 0], new Uint8Array([1, 1]));
    expect(Number.isFinite(s.loss)).toBe(true);
    expect(s.loss).toBeGreaterThan(5);
    expect(s.foregroundIou).toBe(0);
    expect(scoreOnLabels([0, 0], new Uint8Array([1, 1])).foregroundIou).toBe(1);
    expect(scoreOnLabels([0.5], new Uint8Array([0])).pixels).toBe(0);
  });

  it('rejects mismatched lengths and bad labels', () => {
    expect(() => scoreOnLabels([0.5], new Uint8Array(2))).toThrow(RangeError);
    expect(() => scoreOnLabels([0.5], new Uint8Array([3]))).toThrow(/not 0, 1 or 2/);
  });
});
