import { readFileSync, writeFileSync } from 'node:fs';
import { decode } from 'fast-png';
import { encodeRgbaPng } from '../src/image/encode';
const [img, gt, pred, prob, out] = process.argv.slice(2);
const a = decode(readFileSync(img));
const g = decode(readFileSync(gt));
const p = decode(readFileSync(pred));
const q = decode(readFileSync(prob));
const w = a.width, h = a.height;
const rgba = new Uint8Array(w * h * 4 * 2);
const W = 2 * w;
const ch = a.channels;
let max = 0;
for (let i = 0; i < w * h; i++) max = Math.max(max, a.data[i * ch]);
const lab = (d: typeof g, i: number): number => d.data[i * d.channels];
const edge = (d: typeof g, x: number, y: number): boolean => {
  const v = lab(d, y * w + x);
  if (v === 0) return false;
  for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
    const xx = x + dx, yy = y + dy;
    if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
    if (lab(d, yy * w + xx) !== v) return true;
  }
  return false;
};
for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
  const i = y * w + x;
  const v = Math.min(255, (a.data[i * ch] * 255) / Math.max(1, max));
  let o = (y * W + x) * 4;
  rgba.set([v, v, v, 255], o);
  if (edge(g, x, y)) rgba.set([0, 255, 0, 255], o);
  if (edge(p, x, y)) rgba.set([255, 0, 0, 255], o);
  o = (y * W + x + w) * 4;
  const pv = q.data[i * q.channels];
  rgba.set([pv, pv, pv, 255], o);
  if (edge(g, x, y)) rgba.set([0, 255, 0, 255], o);
}
writeFileSync(out, encodeRgbaPng(rgba, W, h));
