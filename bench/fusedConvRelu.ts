/**
 * Is fusing bias-add and ReLU into the 3x3 convolution worth doing for training? tfjs unfuses them whenever
 * gradients are recorded, so a training step runs conv, Add and Relu as three kernels. This times the
 * forward both ways on tfjs-wasm (one thread, Node) for the issue-11 step's layer shapes, interleaved, and
 * prints the medians per layer and their sums (the most fusing could save: the backward's ReLU and bias gradients
 * stay either way).
 * Usage: npx tsx bench/fusedConvRelu.ts [--rounds N]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../cli/backend.js';
import { median } from '../cli/labelDiameter.js';

/** [input side, in channels, out channels] of the 3x3 valid convs of depth 3, 16 filters, 252 px tile. */
const SHAPES: readonly (readonly [number, number, number])[] = [
  [252, 1, 16], [250, 16, 16], [124, 16, 32], [122, 32, 32], [60, 32, 64], [58, 64, 64], [28, 64, 128],
  [26, 128, 128], [48, 128, 64], [88, 64, 32], [168, 32, 16], [166, 16, 16],
];

function timeMs(run: () => tf.Tensor): number {
  const start = performance.now();
  const out = run();
  out.dataSync();
  out.dispose();
  return performance.now() - start;
}

const { values } = parseArgs({ options: { rounds: { type: 'string' } } });
const rounds = Number(values.rounds ?? 9);
if (!(Number.isInteger(rounds) && rounds >= 1)) throw new Error('usage: bench/fusedConvRelu.ts [--rounds 9]');
await initNodeBackend('wasm');
const rows = [];
let totals = { conv: 0, unfused: 0, fused: 0 };
for (const [side, ci, co] of SHAPES) {
  const x = tf.randomNormal([1, side, side, ci]) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, ci, co], 0, 0.2) as tf.Tensor4D;
  const b = tf.randomNormal([co], 0, 0.1) as tf.Tensor1D;
  const variants = {
    conv: () => tf.conv2d(x, w, 1, 'valid'),
    unfused: () => tf.tidy(() => tf.relu(tf.add(tf.conv2d(x, w, 1, 'valid'), b))),
    fused: () => tf.fused.conv2d({ x, filter: w, bias: b, strides: 1, pad: 'valid', activation: 'relu' }),
  };
  const times: Record<keyof typeof variants, number[]> = { conv: [], unfused: [], fused: [] };
  for (let r = 0; r <= rounds; r++) {
    const order = (['conv', 'unfused', 'fused'] as const).map((_, i, all) => all[(i + r) % all.length]);
    for (const name of order) {
      const ms = timeMs(variants[name]);
      if (r > 0) times[name].push(ms);
    }
  }
  const row = { shape: `${side}²×${ci}→${co}`, conv: median(times.conv), unfused: median(times.unfused), fused: median(times.fused) };
  totals = { conv: totals.conv + row.conv, unfused: totals.unfused + row.unfused, fused: totals.fused + row.fused };
  rows.push(row);
  tf.dispose([x, w, b]);
}
process.stdout.write(`${JSON.stringify({ rounds, load: loadavg(), rows, totals }, null, 1)}\n`);
