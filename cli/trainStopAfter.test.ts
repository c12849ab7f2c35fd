/**
 * The train command end to end (tsx) on two synthetic 72x72 images with a depth-1 U-Net, so it needs no
 * data folder: `train --stop-after N` ends a run after step N of its --steps schedule and saves it as if
 * it had been stopped there (how the shipped nuclei model's first stage was cut at its step-800
 * checkpoint), `train --resume DIR` continues such a run to the weights of the run that never stopped, and
 * the card records the training labels' object diameter and keeps what a continued model does with new images,
 * and `--weights float16` stores a finished run as half floats while its checkpoints stay float32.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { float16Value } from '../src/model/float16Weights';

const run = promisify(execFile);
const root = path.resolve(__dirname, '..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const side = 72;

let work = '';

/** A disc of radius 12 at a seed-dependent place: the image (bright disc) and its instance label (id 1). */
function disc(seed: number): { image: Uint8Array; label: Uint8Array } {
  const image = new Uint8Array(side * side);
  const label = new Uint8Array(side * side);
  const cx = 24 + seed * 9;
  const cy = 30 + seed * 5;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const inside = (x - cx) ** 2 + (y - cy) ** 2 <= 144;
      image[y * side + x] = inside ? 200 : 30 + ((x * 7 + y * 3) % 11);
      label[y * side + x] = inside ? 1 : 0;
    }
  }
  const png = (data: Uint8Array) => encode({ width: side, height: side, data, channels: 1, depth: 8 });
  return { image: png(image), label: png(label) };
}

async function trainCli(args: readonly string[]): Promise<{ steps: number; aborted: boolean }> {
  const { stdout } = await run(tsx, ['cli/train.ts', ...args], { cwd: root, timeout: 240_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { steps: number; aborted: boolean };
}

async function train(out: string, ...extra: string[]): Promise<{ steps: number; aborted: boolean }> {
  return trainCli([
    '--images', path.join(work, 'images'), '--labels', path.join(work, 'labels'), '--labels-format', 'instance', '--task', 'nuclei', '--out', out,
    '--depth', '1', '--base-filters', '4', '--tile', '44', '--steps', '6', '--seed', '1', '--log-every', '1', '--backend', 'cpu', ...extra,
  ]);
}

function weightsIn(dir: string): Float32Array {
  const bytes = readFileSync(path.join(dir, 'group1-shard1of1.bin'));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  a.forEach((v, i) => (max = Math.max(max, Math.abs(v - b[i]))));
  return max;
}

const stateFile = (dir: string): string => path.join(dir, 'training-state.json');

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'unet-stop-after-'));
  mkdirSync(path.join(work, 'images'));
  mkdirSync(path.join(work, 'labels'));
  for (const seed of [0, 1]) {
    const { image, label } = disc(seed);
    writeFileSync(path.join(work, 'images', `${seed}.png`), image);
    writeFileSync(path.join(work, 'labels', `${seed}.png`), label);
  }
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('train --stop-after', () => {
  it('ends after step N of the schedule and records N steps in the card', async () => {
    const out = path.join(work, 'cut');
    const result = await train(out, '--stop-after', '2');
    expect(result.steps).toBe(2);
    expect(result.aborted).toBe(true);
    const card = JSON.parse(readFileSync(path.join(out, 'model-card.json'), 'utf8')) as { trainedSteps: number; training: { command: string } };
    expect(card.trainedSteps).toBe(2);
    expect(card.training.command).toContain('--stop-after 2');
  }, 240_000);

  it('refuses a step count that is not a positive integer, before training', async () => {
    await expect(train(path.join(work, 'bad'), '--stop-after', '0')).rejects.toThrow(/stop-after/);
  }, 240_000);
});

describe('the card train writes', () => {
  it('records the object diameter of the training labels, and --init keeps rescale and post-processing', async () => {
    const first = path.join(work, 'scale');
    await train(first, '--steps', '1');
    const cardFile = path.join(first, 'model-card.json');
    const card = JSON.parse(readFileSync(cardFile, 'utf8')) as Record<string, unknown>;
    // Each label holds one disc x² + y² <= 144: 441 pixels, equivalent diameter √(4·441/π) = 23.70 px.
    expect(card.objectDiameter).toBe(23.7);
    // A new nuclei model rescales new images to its training diameter by default, as the shipped one.
    expect(card.rescale).toBe('auto');
    writeFileSync(cardFile, JSON.stringify({ ...card, rescale: 'off', objectDiameter: 99, postProcessing: { objects: 'foreground', threshold: 0.4 } }));
    const next = path.join(work, 'scale-next');
    await train(next, '--init', first, '--steps', '1');
    const continued = JSON.parse(readFileSync(path.join(next, 'model-card.json'), 'utf8')) as Record<string, unknown>;
    expect(continued.rescale).toBe('off');
    expect(continued.postProcessing).toMatchObject({ objects: 'foreground', threshold: 0.4 });
    // Measured again on this run's labels, not copied from the model it started from.
    expect(continued.objectDiameter).toBe(23.7);
  }, 240_000);
});

describe('train --resume', () => {
  it('continues a stopped run, twice, to the weights of the run that never stopped; a finished run keeps no state', async () => {
    const straight = path.join(work, 'straight');
    expect(await train(straight)).toMatchObject({ steps: 6, aborted: false });
    expect(existsSync(stateFile(straight))).toBe(false);

    const chunked = path.join(work, 'chunked');
    expect(await train(chunked, '--stop-after', '2')).toMatchObject({ steps: 2, aborted: true });
    expect(existsSync(stateFile(chunked))).toBe(true);
    expect(await trainCli(['--resume', chunked, '--stop-after', '4'])).toMatchObject({ steps: 4, aborted: true });
    expect(await trainCli(['--resume', chunked])).toMatchObject({ steps: 6, aborted: false });
    expect(existsSync(stateFile(chunked))).toBe(false);

    // Adam's bias corrections are recomputed from the step count on resume, so allow the last bits.
    expect(maxDifference(weightsIn(straight), weightsIn(chunked))).toBeLessThan(1e-6);
    const card = JSON.parse(readFileSync(path.join(chunked, 'model-card.json'), 'utf8')) as { trainedSteps: number; training: { command: string } };
    expect(card.trainedSteps).toBe(6);
    expect(card.training.command).toContain('--steps 6');
    expect(card.training.command).not.toContain('--stop-after');
    expect(card.training.command).not.toContain('--resume');

    // The control: the same stop continued with --init (new optimiser, new schedule) ends elsewhere.
    const restarted = path.join(work, 'restarted');
    await train(restarted, '--stop-after', '2');
    await train(path.join(work, 'restarted-next'), '--init', restarted, '--steps', '4');
    expect(maxDifference(weightsIn(straight), weightsIn(path.join(work, 'restarted-next')))).toBeGreaterThan(1e-4);
  }, 480_000);

  it('refuses, with a message and nothing changed: no state, other flags, weights of another checkpoint', async () => {
    const done = path.join(work, 'done');
    await train(done, '--steps', '2');
    await expect(trainCli(['--resume', done])).rejects.toThrow(/has no training-state\.json/);

    const stopped = path.join(work, 'stopped');
    await train(stopped, '--stop-after', '1', '--steps', '3');
    const before = weightsIn(stopped);
    await expect(trainCli(['--resume', stopped, '--steps', '9'])).rejects.toThrow(/only --stop-after may be given with it \(got --steps\)/);
    await expect(trainCli(['--resume', stopped, '--stop-after', '1'])).rejects.toThrow(/already stopped after step 1/);
    expect(maxDifference(before, weightsIn(stopped))).toBe(0);
    expect(existsSync(stateFile(stopped))).toBe(true);

    // The state of step 1 beside the weights of step 2 (a copy gone wrong) is refused.
    await trainCli(['--resume', stopped, '--stop-after', '2']);
    const mixed = path.join(work, 'mixed');
    mkdirSync(mixed);
    for (const f of ['model.json', 'model-card.json', 'group1-shard1of1.bin']) copyFileSync(path.join(stopped, f), path.join(mixed, f));
    await train(path.join(work, 'step1'), '--stop-after', '1', '--steps', '3');
    for (const f of ['training-state.json', 'training-state.bin']) copyFileSync(path.join(work, 'step1', f), path.join(mixed, f));
    await expect(trainCli(['--resume', mixed])).rejects.toThrow(/different checkpoints/);
    expect(maxDifference(weightsIn(mixed), weightsIn(stopped))).toBe(0);

    writeFileSync(path.join(mixed, 'training-state.bin'), new Uint8Array(12));
    await expect(trainCli(['--resume', mixed])).rejects.toThrow(/training-state\.bin holds 12 bytes/);
  }, 480_000);
});


describe('train --weights float16', () => {
  const halvesIn = (dir: string): Float32Array => {
    const bytes = readFileSync(path.join(dir, 'group1-shard1of1.bin'));
    const bits = new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    return Float32Array.from(bits, float16Value);
  };
  const manifestDtypes = (dir: string): unknown[] => {
    const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as { weightsManifest: { weights: { quantization?: { dtype: string } }[] }[] };
    return json.weightsManifest.flatMap((g) => g.weights.map((w) => w.quantization?.dtype ?? 'float32'));
  };
  /** Largest |a - b| beyond half a float16 step of a (2^-11 relative, or the subnormal step). */
  const beyondRounding = (a: Float32Array, b: Float32Array): number => {
    expect(a.length).toBe(b.length);
    let worst = 0;
    a.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[i]) - Math.max(Math.abs(v) * 2 ** -11, 2 ** -25))));
    return worst;
  };

  it('stores the finished model in half the bytes, each weight the float32 run\'s rounded to a half', async () => {
    const full = path.join(work, 'w32');
    const half = path.join(work, 'w16');
    await train(full);
    await train(half, '--weights', 'float16');
    expect(readFileSync(path.join(half, 'group1-shard1of1.bin')).byteLength * 2).toBe(readFileSync(path.join(full, 'group1-shard1of1.bin')).byteLength);
    expect(new Set(manifestDtypes(half))).toEqual(new Set(['float16']));
    expect(new Set(manifestDtypes(full))).toEqual(new Set(['float32']));
    expect(beyondRounding(weightsIn(full), halvesIn(half))).toBeLessThan(1e-6);
    // The half-float model loads and continues like any other (--init reads it back as float32).
    expect((await train(path.join(work, 'w16-more'), '--init', half, '--steps', '1')).steps).toBe(1);
  });

  it('keeps a stopped run in float32, so that --resume continues it exactly, and stores halves when it finishes', async () => {
    const dir = path.join(work, 'w16-stopped');
    await train(dir, '--weights', 'float16', '--stop-after', '3');
    expect(new Set(manifestDtypes(dir))).toEqual(new Set(['float32']));
    expect(existsSync(stateFile(dir))).toBe(true);
    await trainCli(['--resume', dir]);
    expect(new Set(manifestDtypes(dir))).toEqual(new Set(['float16']));
    expect(existsSync(stateFile(dir))).toBe(false);
    expect(maxDifference(halvesIn(dir), halvesIn(path.join(work, 'w16')))).toBeLessThan(1e-3);
  });

  it('refuses another storage with a message', async () => {
    await expect(train(path.join(work, 'w8'), '--weights', 'uint8')).rejects.toMatchObject({ stderr: expect.stringMatching(/--weights/) as unknown });
    expect(existsSync(path.join(work, 'w8'))).toBe(false);
  });

  it('--boundary-class trains a 3-class model whose card weighs interior 1 and boundary 0.5 with its own objects; binary labels are refused', async () => {
    const out = path.join(work, 'boundary');
    expect((await train(out, '--boundary-class', '--steps', '2')).steps).toBe(2);
    const card = JSON.parse(readFileSync(path.join(out, 'model-card.json'), 'utf8')) as {
      architecture: { classes: number };
      classWeights: number[];
      postProcessing: { threshold: number; split: string };
    };
    expect(card.architecture.classes).toBe(3);
    expect(card.classWeights).toEqual([0, 1, 0.5]);
    expect(card.postProcessing).toMatchObject({ threshold: 0.3, split: 'watershed' });
    const refused = path.join(work, 'boundary-binary');
    await expect(
      trainCli(['--images', path.join(work, 'images'), '--labels', path.join(work, 'labels'), '--labels-format', 'binary', '--task', 'nuclei', '--out', refused, '--boundary-class', '--steps', '1']),
    ).rejects.toMatchObject({ stderr: expect.stringMatching(/--boundary-class needs --labels-format instance/) as unknown });
    expect(existsSync(refused)).toBe(false);
  });

  it('fine-tunes a boundary-class model on painted labels (--init, partial) and keeps it a boundary-class model', async () => {
    const base = path.join(work, 'boundary-base');
    await train(base, '--boundary-class', '--steps', '2');
    // Painted labels: the top half of each image, disc 2 (foreground) and the rest 1 (background).
    const painted = path.join(work, 'painted');
    mkdirSync(painted, { recursive: true });
    for (const seed of [0, 1]) {
      const labels = new Uint8Array(side * side);
      const cx = 24 + seed * 9;
      const cy = 30 + seed * 5;
      for (let y = 0; y < side / 2; y++) for (let x = 0; x < side; x++) labels[y * side + x] = (x - cx) ** 2 + (y - cy) ** 2 <= 144 ? 2 : 1;
      writeFileSync(path.join(painted, `${seed}.png`), encode({ width: side, height: side, data: labels, channels: 1, depth: 8 }));
    }
    const tuned = path.join(work, 'boundary-tuned');
    const { stdout } = await run(
      tsx,
      ['cli/train.ts', '--images', path.join(work, 'images'), '--labels', painted, '--labels-format', 'partial', '--task', 'nuclei', '--init', base, '--out', tuned,
        '--steps', '3', '--val-fraction', '0', '--backend', 'cpu', '--tile', '44'],
      { cwd: root, timeout: 240_000 },
    );
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { mode: string; steps: number };
    expect(result).toMatchObject({ mode: 'fine-tune', steps: 3 });
    const card = JSON.parse(readFileSync(path.join(tuned, 'model-card.json'), 'utf8')) as { architecture: { classes: number }; classWeights: number[] };
    expect(card.architecture.classes).toBe(3);
    expect(card.classWeights).toEqual([0, 1, 0.5]);
    expect(maxDifference(weightsIn(base), weightsIn(tuned))).toBeGreaterThan(0);
  });
});
