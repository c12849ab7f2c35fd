import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { encode as encodePng } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTiff } from '../src/image/tiffWrite';

/*
 * evaluate --probabilities DIR --model MODEL scores saved maps with that model's post-processing (its card),
 * as the same maps would be scored had the model run. Without --model the defaults apply.
 */

const W = 40;
const H = 40;
const root = path.resolve(import.meta.dirname, '..');
const run = promisify(execFile);
const evaluate = (args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'cli/evaluate.ts', ...args], { cwd: root, maxBuffer: 1 << 24 });

describe('evaluate on saved probability maps', () => {
  let dir = '';
  const common = (): string[] => [
    '--probabilities', path.join(dir, 'prob'), '--images', path.join(dir, 'images'), '--labels', path.join(dir, 'labels'), '--task', 'nuclei',
  ];

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'evaluate-saved-maps-'));
    for (const sub of ['images', 'labels', 'prob', 'model']) mkdirSync(path.join(dir, sub));
    // One nucleus, radius 8, whose map sits at 0.45: above the nuclei card's threshold (0.4), below the default 0.5.
    const inside = (i: number): boolean => (Math.floor(i / W) - 20) ** 2 + ((i % W) - 20) ** 2 <= 64;
    const labels = Uint8Array.from({ length: W * H }, (_, i) => (inside(i) ? 1 : 0));
    const image = Uint8Array.from(labels, (v) => (v ? 200 : 20));
    writeFileSync(path.join(dir, 'images', 'n.png'), encodePng({ width: W, height: H, data: image, channels: 1, depth: 8 }));
    writeFileSync(path.join(dir, 'labels', 'n.png'), encodePng({ width: W, height: H, data: labels, channels: 1, depth: 8 }));
    const prob = Float32Array.from(labels, (v) => (v ? 0.45 : 0.02));
    writeFileSync(path.join(dir, 'prob', 'n_prob.tif'), encodeTiff([{ width: W, height: H, channels: 1, data: prob }]));
    copyFileSync(path.join(root, 'public/models/nuclei/model-card.json'), path.join(dir, 'model', 'model-card.json'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("takes the model's post-processing from its card", async () => {
    const card = JSON.parse(readFileSync(path.join(dir, 'model', 'model-card.json'), 'utf8')) as { postProcessing: { threshold: number } };
    expect(card.postProcessing.threshold).toBeLessThan(0.45);
    const json = path.join(dir, 'with-model.json');
    const { stderr } = await evaluate([...common(), '--model', path.join(dir, 'model'), '--json', json]);
    expect(stderr).toContain(`threshold ${card.postProcessing.threshold}`);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { mean: { ap: number; iou: number } };
    expect(report.mean.ap).toBe(1);
    // The card's smoothing (σ 1) rounds the map's step edge, so about a pixel of rim falls below 0.4.
    expect(report.mean.iou).toBeGreaterThan(0.6);
  });

  it('without --model the default threshold (0.5) finds no nucleus in the same map', async () => {
    const json = path.join(dir, 'without-model.json');
    const { stderr } = await evaluate([...common(), '--json', json]);
    expect(stderr).toContain('threshold 0.5');
    const report = JSON.parse(readFileSync(json, 'utf8')) as { mean: { ap: number; iou: number } };
    expect(report.mean.ap).toBe(0);
    expect(report.mean.iou).toBe(0);
  });

  it('refuses a model of the other task, and a folder without a card, with a message', async () => {
    await expect(evaluate([...common(), '--model', path.join(root, 'public/models/em-membranes')])).rejects.toMatchObject({
      stderr: expect.stringMatching(/the model is a 'membranes' model but --task is 'nuclei'/) as unknown,
    });
    await expect(evaluate([...common(), '--model', path.join(dir, 'images')])).rejects.toMatchObject({
      stderr: expect.stringMatching(/there is no model-card\.json to take the post-processing from/) as unknown,
    });
  });
});
