import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMapScale, scaleFileName, scaleRecord } from './probabilityFiles';

describe('the object scale of a saved map (NAME_scale.json)', () => {
  it('reads back what segment writes, is 1 without a file, and names a bad file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'map-scale-'));
    writeFileSync(path.join(dir, scaleFileName('a')), scaleRecord({ scale: 0.5, fusedScale: 0.29, diameter: 52.1, source: 'estimate' }));
    expect(readMapScale('a', dir)).toBe(0.5);
    expect(JSON.parse(scaleRecord({ scale: 0.5, source: 'user' }))).toEqual({ scale: 0.5, source: 'user' });
    expect(readMapScale('b', dir)).toBe(1);
    writeFileSync(path.join(dir, scaleFileName('c')), '{"scale": -2}');
    expect(() => readMapScale('c', dir)).toThrow(/c_scale\.json: "scale" must be a positive number, got -2/);
    writeFileSync(path.join(dir, scaleFileName('d')), 'scale 0.5');
    expect(() => readMapScale('d', dir)).toThrow(/d_scale\.json: not JSON/);
  });
});
