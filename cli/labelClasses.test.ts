import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { encode as encodePng } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../src/image/decode';
import { encodeTiff } from '../src/image/tiffWrite';
import { labelClassProblem } from './labelClasses';

/* Issue 12: labels whose values match no class must be reported, not scored IoU 0 in silence. */

const W = 32;
const H = 32;

/** A 1-bit PNG membrane mask: 1 on a cross of membrane, 0 in the four cells (decoded as 0/255). */
function oneBitMask(): Uint8Array {
  const data = new Uint8Array((W / 8) * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (x === 15 || x === 16 || y === 15 || y === 16) data[y * (W / 8) + (x >> 3)] |= 0x80 >> (x & 7);
    }
  }
  return encodePng({ width: W, height: H, data, channels: 1, depth: 1 });
}

describe('labelClassProblem', () => {
  const mask = decodeImage(oneBitMask(), 'mask.png').pages[0];

  it('a 1-bit mask reads as 0/255, so --membrane-value 1 matches no pixel', () => {
    const problem = labelClassProblem(mask, 'binary', 'membranes', 1, 'mask.png');
    expect(problem).toMatch(/^mask\.png holds no membrane pixel: no pixel has the value 1 \(--membrane-value\); its values are 0, 255\./);
  });

  it('the right value, or another task or format, is no problem', () => {
    expect(labelClassProblem(mask, 'binary', 'membranes', 255, 'mask.png')).toBeNull();
    expect(labelClassProblem(mask, 'binary', 'membranes', 0, 'mask.png')).toBeNull();
    expect(labelClassProblem(mask, 'binary', 'nuclei', 1, 'mask.png')).toBeNull();
  });

  it('labels that are membrane everywhere hold no cell', () => {
    const flat = { width: 4, height: 4, channels: 1 as const, bitDepth: 8 as const, data: new Uint8Array(16) };
    expect(labelClassProblem(flat, 'binary', 'membranes', 0, 'flat.png')).toMatch(/membrane everywhere.*no cell pixel/);
  });
});

describe('the CLIs warn instead of scoring in silence', () => {
  const run = promisify(execFile);
  let dir = '';

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labels-no-class-'));
    for (const sub of ['images', 'labels', 'prob']) mkdirSync(path.join(dir, sub));
    const image = Uint8Array.from({ length: W * H }, (_, i) => (i * 7) % 256);
    writeFileSync(path.join(dir, 'images', 'em.png'), encodePng({ width: W, height: H, data: image, channels: 1, depth: 8 }));
    writeFileSync(path.join(dir, 'labels', 'em.png'), oneBitMask());
    const prob = new Float32Array(W * H).fill(0.9);
    writeFileSync(path.join(dir, 'prob', 'em_prob.tif'), encodeTiff([{ width: W, height: H, channels: 1, data: prob }]));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const tsx = (script: string, args: string[]) =>
    run(process.execPath, ['--import', 'tsx', script, ...args], { cwd: path.resolve(import.meta.dirname, '..'), maxBuffer: 1 << 24 });

  it('evaluate --membrane-value 1 on a 0/255 mask warns per file and under the table', async () => {
    const { stdout, stderr } = await tsx('cli/evaluate.ts', [
      '--probabilities', path.join(dir, 'prob'), '--images', path.join(dir, 'images'), '--labels', path.join(dir, 'labels'),
      '--task', 'membranes', '--membrane-value', '1',
    ]);
    expect(stdout).toMatch(/^image/);
    expect(stderr).toMatch(/warning: em\.png holds no membrane pixel: no pixel has the value 1/);
    expect(stderr).toMatch(/warning: 1 of 1 label files match no class \(see above\): their scores mean nothing\./);
  });

  it('evaluate with the right value does not warn', async () => {
    const { stderr } = await tsx('cli/evaluate.ts', [
      '--probabilities', path.join(dir, 'prob'), '--images', path.join(dir, 'images'), '--labels', path.join(dir, 'labels'),
      '--task', 'membranes', '--membrane-value', '255',
    ]);
    expect(stderr).not.toMatch(/warning/);
  });

  it('train --membrane-value 1 on a 0/255 mask warns before it trains', async () => {
    const { stderr } = await tsx('cli/train.ts', [
      '--images', path.join(dir, 'images'), '--labels', path.join(dir, 'labels'), '--labels-format', 'binary', '--task', 'membranes',
      '--membrane-value', '1', '--out', path.join(dir, 'model'), '--steps', '1', '--depth', '2', '--base-filters', '4', '--padding', 'same',
      '--tile', '32', '--backend', 'cpu',
    ]);
    expect(stderr).toMatch(/warning: em\.png holds no membrane pixel: no pixel has the value 1/);
  });
});
