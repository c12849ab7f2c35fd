/**
 * A copy of a model with its weights stored as float16 (`saveModelDir(..., 'float16')`, the format of
 * `train --weights float16`), to score against the float32 original with `npm run evaluate` on the same
 * held-out images (README, *Half-float weights*). Prints the sizes and the largest change of a weight.
 *
 *   npx tsx bench/halfWeights.ts --model public/models/em-membranes --out /tmp/em-f16
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseFlags, requiredString } from '../cli/args';
import { loadModelDir, saveModelDir } from '../cli/modelFiles';
import { MODEL_FILES } from '../src/model/io';

const flags = parseFlags(process.argv.slice(2), { model: { type: 'string' }, out: { type: 'string' } });
const modelDir = requiredString(flags, 'model');
const outDir = requiredString(flags, 'out');

const { segmenter, card } = await loadModelDir(modelDir);
await saveModelDir(outDir, segmenter, card, 'float16');
const before = segmenter.model.getWeights().map((w) => w.dataSync().slice());
segmenter.dispose();
const copy = await loadModelDir(outDir);
// Relative change where halves are normal (|w| >= 2^-14: at most 2^-11); below, the absolute change counts.
let relative = 0;
let absolute = 0;
let subnormal = 0;
copy.segmenter.model.getWeights().forEach((w, k) => {
  w.dataSync().forEach((v, i) => {
    const a = before[k][i];
    absolute = Math.max(absolute, Math.abs(v - a));
    if (Math.abs(a) >= 2 ** -14) relative = Math.max(relative, Math.abs(v - a) / Math.abs(a));
    else subnormal++;
  });
});
copy.segmenter.dispose();
const bytes = (dir: string): number => readFileSync(path.join(dir, MODEL_FILES.weights)).byteLength;
process.stdout.write(`${JSON.stringify({ model: modelDir, out: outDir, float32Bytes: bytes(modelDir), float16Bytes: bytes(outDir), largestRelativeChange: relative, largestAbsoluteChange: absolute, weightsBelowNormalHalves: subnormal })}\n`);
