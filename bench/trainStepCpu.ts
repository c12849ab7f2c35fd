/**
 * Per-step wall and process CPU time of one checkout's trainSegmenter on issue 11's training case (depth 3,
 * 16 filters, 252 px tile, batch 1, Adam, border weights, default augmentation; tfjs-wasm, Node, one thread).
 * The checkout is an argument so that two branches (e.g. a worktree of main and this one) can be run
 * alternately with the same script; on a shared machine compare the CPU times. Prints one JSON line.
 *
 *   npx tsx bench/trainStepCpu.ts /path/to/checkout [steps=6]
 */
import * as path from 'node:path';
import type * as BackendModule from '../cli/backend';
import type * as TrainModule from '../src/model/train';
import type * as UnetModule from '../src/model/unet';
import { syntheticSample } from '../src/model/syntheticDiscs';

// Types from this checkout; the code is loaded from the one given, which must export the same functions.
type Backend = typeof BackendModule;
type Train = typeof TrainModule;
type Unet = typeof UnetModule;

const root = path.resolve(process.argv[2] ?? '.');
const steps = Number(process.argv[3] ?? 6);
const { initNodeBackend } = (await import(path.join(root, 'cli/backend.ts'))) as Backend;
const { trainSegmenter } = (await import(path.join(root, 'src/model/train.ts'))) as Train;
const { createUnet } = (await import(path.join(root, 'src/model/unet.ts'))) as Unet;

await initNodeBackend('wasm');
const { image, labels } = syntheticSample(300);
const net = createUnet({ depth: 3, baseFilters: 16, inChannels: 1, classes: 2, dropout: 0.1, padding: 'valid', seed: 1 });
const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const wall: number[] = [];
const cpu: number[] = [];
let [w0, c0] = [performance.now(), cpuMs()];
await trainSegmenter(net, [{ image, labels }], {
  steps: steps + 1,
  tileSize: 252,
  seed: 1,
  learningRate: 1e-4,
  onProgress: () => {
    wall.push(performance.now() - w0);
    cpu.push(cpuMs() - c0);
    [w0, c0] = [performance.now(), cpuMs()];
  },
});
net.dispose();
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// The first step is set-up (optimizer slots, XNNPACK operators, the weight map): left out.
const [timedWall, timedCpu] = [wall.slice(1), cpu.slice(1)];
console.log(JSON.stringify({ root, wallMs: Math.round(median(timedWall)), cpuMs: Math.round(median(timedCpu)), wall: timedWall.map(Math.round), cpu: timedCpu.map(Math.round) }));
