/**
 * bench/gpu on a machine without a GPU: run.sh stops at once with a clear message, status 3 and a JSON
 * record saying nothing was measured. And the PyTorch side's U-Net (unet_torch.py, built from the tfjs
 * topology and weights) is our network: with its NumPy ops it reproduces our tfjs output on both shipped
 * models (skipped where python3 with NumPy is missing).
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
const work = mkdtempSync(path.join(os.tmpdir(), 'bench-gpu-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const hasNumpy = (() => {
  try {
    execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('bench/gpu/run.sh', () => {
  it('without an NVIDIA GPU says so, exits with status 3 and records that nothing was measured', async () => {
    // An nvidia-smi that lists no GPU (as on a machine with the driver tools but no device), first on PATH.
    const bin = path.join(work, 'bin');
    execFileSync('mkdir', ['-p', bin]);
    writeFileSync(path.join(bin, 'nvidia-smi'), '#!/bin/sh\necho "No devices were found" >&2\nexit 6\n');
    chmodSync(path.join(bin, 'nvidia-smi'), 0o755);
    const out = path.join(work, 'out');
    const failure = await run('bash', ['bench/gpu/run.sh'], { cwd: root, env: { ...process.env, OUT: out, PATH: `${bin}:${process.env.PATH ?? ''}` } }).then(
      () => null,
      (e: unknown) => e as { code: number; stderr: string },
    );
    expect(failure?.code).toBe(3);
    expect(failure?.stderr).toContain('no NVIDIA GPU on this machine');
    expect(JSON.parse(readFileSync(path.join(out, 'gpu.json'), 'utf8'))).toMatchObject({ status: 'no-gpu' });
  });
});

describe.skipIf(!hasNumpy)('bench/gpu/unet_torch.py', () => {
  it('rebuilds both shipped U-Nets from their weights and reproduces our output (NumPy ops)', async () => {
    const ref = path.join(work, 'ref');
    await run(path.join(root, 'node_modules/.bin/tsx'), ['bench/gpu/reference.ts', ref, 'public/models/nuclei', 'public/models/em-membranes'], { cwd: root });
    for (const model of ['nuclei', 'em-membranes']) {
      const { stdout } = await run('python3', ['bench/gpu/unet_torch.py', '--model', `public/models/${model}`, '--check', path.join(ref, model), '--numpy'], { cwd: root });
      const check = (JSON.parse(stdout) as { check: { maxAbsDiff: number; shape: number[] } }).check;
      expect(check.shape[3]).toBe(2);
      expect(check.maxAbsDiff).toBeLessThan(1e-5);
    }
  }, 120_000);
});
