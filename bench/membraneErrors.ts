/**
 * Where a membrane model's pixel errors lie, from maps saved by `segment --prob-float`: split by the
 * distance of each wrong pixel to the nearest pixel of the other ground-truth class (1 px = a membrane
 * edge one pixel off), and the sub-pixel offset between the image's dark membranes and (a) the ground-truth
 * membrane, (b) the predicted one: the vertex of a parabola through the mean grey on the membrane pixels
 * with the image read 1 px before, at, and 1 px after. Prints JSON.
 *
 *   npx tsx bench/membraneErrors.ts --probabilities DIR --data ../shared/data/isbi2012-em --ids 20-24
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { decode } from 'fast-png';
import { optionalString, parseFlags, requiredString } from '../cli/args';
import { parseIds } from '../cli/dataset';
import { distanceTransform } from '../src/image/distanceTransform';
import { readTiff } from '../src/image/tiffRead';

const flags = parseFlags(process.argv.slice(2), { probabilities: { type: 'string' }, data: { type: 'string' }, ids: { type: 'string' } });
const dir = requiredString(flags, 'probabilities');
const data = optionalString(flags, 'data') ?? '../shared/data/isbi2012-em';
const ids = [...parseIds(optionalString(flags, 'ids') ?? '20-24')];

interface Slice { width: number; height: number; grey: Float64Array; truth: Uint8Array; predicted: Uint8Array }
const slices: Slice[] = ids.map((id) => {
  const image = decode(readFileSync(path.join(data, 'images', `${id}.png`)));
  const labels = decode(readFileSync(path.join(data, 'labels', `${id}.png`)));
  const prob = readTiff(readFileSync(path.join(dir, `${id}_prob.tif`)), `${id}_prob.tif`)[0];
  const n = labels.width * labels.height;
  const grey = new Float64Array(n);
  const truth = new Uint8Array(n);
  const predicted = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    grey[i] = image.data[i * image.channels];
    truth[i] = labels.data[i * labels.channels] === 0 ? 1 : 0;
    predicted[i] = prob.data[i] >= 0.5 ? 1 : 0;
  }
  return { width: labels.width, height: labels.height, grey, truth, predicted };
});

const counts = { pixels: 0, wrong: 0, predictedMembrane: 0, missedMembrane: 0, within1: 0, within2: 0, within3: 0, beyond3: 0 };
for (const s of slices) {
  const toCell = distanceTransform(s.truth.map((v) => 1 - v), s.width, s.height);
  const toMembrane = distanceTransform(s.truth, s.width, s.height);
  for (let i = 0; i < s.truth.length; i++) {
    counts.pixels++;
    if (s.predicted[i] === s.truth[i]) continue;
    counts.wrong++;
    if (s.predicted[i]) counts.predictedMembrane++;
    else counts.missedMembrane++;
    const d = s.truth[i] ? toCell[i] : toMembrane[i];
    if (d <= 1) counts.within1++;
    else if (d <= 2) counts.within2++;
    else if (d <= 3) counts.within3++;
    else counts.beyond3++;
  }
}

/** Mean grey on the mask's pixels with the image read at (x + dx, y + dy); a 3-px border is left out. */
function meanGrey(which: 'truth' | 'predicted', dx: number, dy: number): number {
  let sum = 0;
  let n = 0;
  for (const s of slices) {
    for (let y = 3; y < s.height - 3; y++) {
      for (let x = 3; x < s.width - 3; x++) {
        if (!s[which][y * s.width + x]) continue;
        sum += s.grey[(y + dy) * s.width + x + dx];
        n++;
      }
    }
  }
  return sum / n;
}
const vertex = (a: number, b: number, c: number): number => (a - c) / (2 * (a - 2 * b + c));
const offset = (which: 'truth' | 'predicted'): { x: number; y: number } => {
  const at = meanGrey(which, 0, 0);
  return { x: vertex(meanGrey(which, -1, 0), at, meanGrey(which, 1, 0)), y: vertex(meanGrey(which, 0, -1), at, meanGrey(which, 0, 1)) };
};
const share = (k: number): number => Math.round((k / counts.pixels) * 1e4) / 1e4;
console.log(JSON.stringify({
  probabilities: dir,
  ids,
  pixelError: share(counts.wrong),
  predictedMembrane: share(counts.predictedMembrane),
  missedMembrane: share(counts.missedMembrane),
  byDistanceToOtherClass: { upTo1: share(counts.within1), upTo2: share(counts.within2), upTo3: share(counts.within3), beyond3: share(counts.beyond3) },
  darkMembraneOffsetPx: { truth: offset('truth'), predicted: offset('predicted') },
}, null, 2));
