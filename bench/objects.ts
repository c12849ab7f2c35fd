/**
 * Time of the objects of a probability map (post-processing: `objectsFromProbability` with a model's
 * default settings), on maps saved by `segment --prob-float`: each NAME_prob.tif of --em (membrane maps,
 * 'cells') and --nuclei (foreground maps, 'foreground'), and a --mosaic x --mosaic mosaic of the EM maps
 * (the app's 2048x2048 case: 4 x 512). Medians of --runs, the load average with every run. Prints JSON.
 * Candidates (e.g. two checkouts) are compared by running this from each, alternately.
 *
 *   npx tsx bench/objects.ts --em DIR --nuclei DIR [--runs 3] [--mosaic 4] [--out FILE]
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { numberFlag, optionalString, parseFlags } from '../cli/args';
import { defaultPostProcessing, objectsFromProbability, type ObjectKind } from '../src/image/postProcessing';
import { readTiff } from '../src/image/tiffRead';
import type { FloatPlane } from '../src/image/types';

const flags = parseFlags(process.argv.slice(2), {
  em: { type: 'string' },
  nuclei: { type: 'string' },
  runs: { type: 'string' },
  mosaic: { type: 'string' },
  out: { type: 'string' },
});

function maps(dir: string | undefined): FloatPlane[] {
  if (dir === undefined) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('_prob.tif'))
    .sort()
    .map((f) => {
      const r = readTiff(readFileSync(path.join(dir, f)), f)[0];
      return { width: r.width, height: r.height, data: Float32Array.from(r.data) };
    });
}

/** Tiles the maps (cycled) into a k x k mosaic of the first map's size. */
function mosaic(planes: FloatPlane[], k: number): FloatPlane | undefined {
  if (planes.length === 0 || k < 2) return undefined;
  const { width: w, height: h } = planes[0];
  const out = new Float32Array(k * w * k * h);
  for (let t = 0; t < k * k; t++) {
    const p = planes[t % planes.length];
    if (p.width !== w || p.height !== h) throw new Error('--em maps must all have one size for the mosaic');
    const ox = (t % k) * w;
    const oy = Math.floor(t / k) * h;
    for (let y = 0; y < h; y++) out.set(p.data.subarray(y * w, (y + 1) * w), (oy + y) * k * w + ox);
  }
  return { width: k * w, height: k * h, data: out };
}

const runs = numberFlag(flags, 'runs', 3, { integer: true, min: 1 });
const em = maps(optionalString(flags, 'em'));
const nuclei = maps(optionalString(flags, 'nuclei'));
if (em.length + nuclei.length === 0) throw new Error('usage: tsx bench/objects.ts --em DIR --nuclei DIR [--runs 3] [--mosaic 4] [--out FILE]');
const big = mosaic(em, numberFlag(flags, 'mosaic', 4, { integer: true, min: 0 }));
const cases: { name: string; kind: ObjectKind; planes: FloatPlane[] }[] = [
  { name: `em ${em[0]?.width ?? 0}x${em[0]?.height ?? 0} (${em.length})`, kind: 'cells', planes: em },
  { name: `nuclei (${nuclei.length})`, kind: 'foreground', planes: nuclei },
  ...(big ? [{ name: `em mosaic ${big.width}x${big.height}`, kind: 'cells' as const, planes: [big] }] : []),
];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = cases
  .filter((c) => c.planes.length > 0)
  .map((c) => {
    const settings = defaultPostProcessing(c.kind);
    const samples: { ms: number; load1: number; objects: number }[] = [];
    for (let r = 0; r < runs; r++) {
      const load1 = os.loadavg()[0];
      const t0 = performance.now();
      let objects = 0;
      for (const p of c.planes) objects += objectsFromProbability(p.data, p.width, p.height, settings).count;
      samples.push({ ms: (performance.now() - t0) / c.planes.length, load1, objects });
      process.stderr.write(`${c.name} run ${r}: ${samples[r].ms.toFixed(0)} ms per map (load ${load1.toFixed(1)})\n`);
    }
    return { case: c.name, settings, medianMsPerMap: median(samples.map((s) => s.ms)), samples };
  });
const json = JSON.stringify({ date: new Date().toISOString(), machine: { cpus: os.availableParallelism(), cpuModel: os.cpus()[0]?.model }, runs, results }, null, 2);
const out = optionalString(flags, 'out');
if (out !== undefined) writeFileSync(out, `${json}\n`);
console.log(json);
