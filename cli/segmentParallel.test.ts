/**
 * `segment` over worker threads and over shards gives exactly the files of one plain run: --workers 2 (each
 * worker its own onnxruntime session with one thread, or its own tfjs WASM backend) writes byte-identical
 * masks, labels, probability maps and summary.csv to --workers 1 (one session on every core); and
 * --shard 1/3, 2/3, 3/3 into one shared folder plus --merge gives the single run's folder, summary included.
 * Runs the real command (tsx) on synthetic images, so it needs no data folder.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { decode, encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(__dirname, '..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const model = path.join(root, 'public/models/nuclei');

let work = '';
let inDir = '';

/** A grey 8-bit image of bright blobs on a textured background, placed by a seed. */
function blobImage(width: number, height: number, seed: number): Uint8Array {
  const data = new Uint8Array(width * height);
  const centres = Array.from({ length: 6 }, (_, i) => [((seed * 37 + i * 53) % width), ((seed * 17 + i * 29) % height)]);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = 20 + 8 * Math.sin(x * 0.7 + seed) * Math.cos(y * 0.5);
      for (const [cx, cy] of centres) v += 200 * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 50);
      data[y * width + x] = Math.min(255, Math.round(v));
    }
  }
  return encode({ width, height, data, channels: 1, depth: 8 });
}

async function segment(out: string, ...args: string[]): Promise<void> {
  await run(tsx, ['cli/segment.ts', '--model', model, '--in', inDir, '--out', out, '--prob-float', ...args], { cwd: root, timeout: 240_000 });
}

/** Every file under dir (relative path -> bytes), without the shard records. */
function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) {
        if (name !== 'shards') walk(full);
      } else out.set(path.relative(dir, full), readFileSync(full));
    }
  };
  walk(dir);
  return out;
}

function expectSameFiles(actual: string, expected: string): void {
  const a = tree(actual);
  const e = tree(expected);
  expect([...a.keys()]).toEqual([...e.keys()]);
  for (const [name, bytes] of e) expect(a.get(name)?.equals(bytes), name).toBe(true);
}

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'segment-parallel-'));
  inDir = path.join(work, 'in');
  mkdirSync(inDir);
  // One image of several tiles, the rest small; names sort differently by code point and naturally.
  const sizes: [string, number, number][] = [['img10', 300, 220], ['img2', 96, 80], ['Img3', 120, 64], ['a', 70, 90], ['b_b', 64, 64]];
  sizes.forEach(([name, w, h], i) => writeFileSync(path.join(inDir, `${name}.png`), blobImage(w, h, i + 1)));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('segment --workers and --shard', () => {
  it('two onnx workers write the same files as one', async () => {
    await segment(path.join(work, 'one'), '--workers', '1');
    await segment(path.join(work, 'two'), '--workers', '2');
    expect(readdirSync(path.join(work, 'one'))).toContain('img10_prob.tif');
    expect(readFileSync(path.join(work, 'one', 'summary.csv'), 'utf8').trim().split('\n')).toHaveLength(6);
    expectSameFiles(path.join(work, 'two'), path.join(work, 'one'));
  }, 300_000);

  it('three shards into one folder, merged, equal the single run', async () => {
    const shared = path.join(work, 'shared');
    for (const k of [1, 2, 3]) await segment(shared, '--shard', `${k}/3`);
    const records = readdirSync(path.join(shared, 'shards')).sort();
    expect(records).toEqual(['1-of-3.json', '2-of-3.json', '3-of-3.json']);
    await run(tsx, ['cli/segment.ts', '--merge', '--out', shared], { cwd: root, timeout: 60_000 });
    expectSameFiles(shared, path.join(work, 'one'));
  }, 300_000);

  it('merge refuses while a shard is missing', async () => {
    const partial = path.join(work, 'partial');
    await segment(partial, '--shard', '2/2');
    await expect(run(tsx, ['cli/segment.ts', '--merge', '--out', partial], { cwd: root })).rejects.toMatchObject({
      stderr: expect.stringContaining('shard 1 of 2 not finished') as unknown,
    });
  }, 300_000);

  it('evaluate with two workers scores every image exactly as with one', async () => {
    // Labels: the blobs themselves, thresholded (binary: nonzero = nucleus), one file per image stem.
    const labels = path.join(work, 'labels');
    mkdirSync(labels);
    for (const name of readdirSync(inDir)) {
      const image = decode(readFileSync(path.join(inDir, name)));
      const mask = new Uint8Array(image.width * image.height);
      for (let i = 0; i < mask.length; i++) mask[i] = image.data[i] > 120 ? 255 : 0;
      writeFileSync(path.join(labels, name), encode({ width: image.width, height: image.height, data: mask, channels: 1, depth: 8 }));
    }
    const evaluate = async (workers: string) => {
      const json = path.join(work, `evaluate-${workers}.json`);
      await run(tsx, ['cli/evaluate.ts', '--model', model, '--images', inDir, '--labels', labels, '--labels-format', 'binary', '--task', 'nuclei', '--workers', workers, '--json', json], {
        cwd: root,
        timeout: 240_000,
      });
      return JSON.parse(readFileSync(json, 'utf8')) as { images: { name: string }[]; mean: Record<string, number> };
    };
    const one = await evaluate('1');
    const two = await evaluate('2');
    expect(one.images.map((r) => r.name)).toEqual(['a', 'b_b', 'img2', 'Img3', 'img10']);
    expect(two.images).toEqual(one.images);
    expect(two.mean).toEqual(one.mean);
  }, 300_000);

  it('two tfjs workers (each its own WASM backend) write the same files as one', async () => {
    await segment(path.join(work, 'tfjs-one'), '--engine', 'tfjs', '--workers', '1', '--ids', 'img2,a');
    await segment(path.join(work, 'tfjs-two'), '--engine', 'tfjs', '--workers', '2', '--ids', 'img2,a');
    expect(readdirSync(path.join(work, 'tfjs-one'))).toContain('a_prob.tif');
    expectSameFiles(path.join(work, 'tfjs-two'), path.join(work, 'tfjs-one'));
  }, 300_000);
});
