import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { strFromU8, unzipSync } from 'fflate';
import { decode as decodePng } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FloatPlane } from '../../image/types';
import { createModelCard, segmenterFromArtifacts } from '../io';
import { importModelFiles, importModelZip } from '../modelImport';
import type { ModelCard, Segmenter, UnetConfig } from '../types';
import { createUnet } from '../unet';
import { contextMargin, isLegalInputSize } from '../validSize';
import { decodeNpy } from './npy';
import type { NpyArray } from './npy';
import { PACKAGE_FILES, bioimageioPackage } from './package';

/*
 * The Node test issue 9 asks for: a bioimage.io package's test input, preprocessed as its rdf.yaml says
 * and run through the model loaded back from the package's own weights, reproduces its test output
 * within 1e-4. The preprocessing here is written from the bioimage.io definitions (numpy's linear
 * percentile, scale_range's eps, clip), not with our normalisation code, so the two must agree.
 */

const config: UnetConfig = { depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0.1, padding: 'valid', seed: 11 };
let segmenter: Segmenter;
let card: ModelCard;

/** A raw 8-bit-like image with round cells, a gradient and a few saturated outliers (exercises the clip). */
function syntheticImage(width: number, height: number): FloatPlane {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const cell = Math.cos(x / 5) * Math.sin(y / 7) > 0.4 ? 120 : 0;
      data[y * width + x] = 20 + cell + x * 0.3 + ((x * 31 + y * 17) % 11);
    }
  }
  for (let i = 0; i < data.length; i += 97) data[i] = 4000;
  return { width, height, data };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  segmenter = createUnet(config);
  card = {
    ...createModelCard(segmenter, { name: 'tiny', task: 'nuclei', description: 'package tests', trainedSteps: 5, metrics: { iou: 0.5 }, heldOut: '2 images' }),
    training: {
      command: 'npm run train -- --steps 5',
      seed: 11,
      data: 'synthetic',
      licence: 'CC0 1.0 (public domain)',
      citation: 'Someone et al., A dataset, J. Data 1:1 (2020), doi:10.1234/abcd.5678; Other et al., No identifier (2019)',
    },
  };
});
afterAll(() => segmenter.dispose());

/** numpy.percentile with the default 'linear' method. */
function npPercentile(values: Float32Array, q: number): number {
  const sorted = Float64Array.from(values).sort();
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function rdfNumber(rdf: string, key: string): number {
  const m = new RegExp(`\\b${key}: (\\S+)`).exec(rdf);
  if (!m) throw new Error(`rdf.yaml has no ${key}`);
  return Number(m[1]);
}

/** bioimage.io scale_range (axes y, x; one channel) followed by clip, as the rdf states them. */
function bioimageioPreprocess(input: NpyArray, rdf: string): Float32Array {
  const lo = npPercentile(input.data, rdfNumber(rdf, 'min_percentile'));
  const hi = npPercentile(input.data, rdfNumber(rdf, 'max_percentile'));
  const clipBlock = /- id: clip\n\s+kwargs:\n\s+min: (\S+)\n\s+max: (\S+)/.exec(rdf);
  if (!clipBlock) throw new Error('rdf.yaml has no clip step');
  const [min, max] = [Number(clipBlock[1]), Number(clipBlock[2])];
  const eps = 1e-6; // scale_range's default
  return input.data.map((v) => Math.min(max, Math.max(min, (v - lo) / (hi - lo + eps))));
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function reproduce(zip: Uint8Array): Promise<{ diff: number; output: NpyArray; rdf: string }> {
  const files = unzipSync(zip);
  const rdf = strFromU8(files[PACKAGE_FILES.rdf]);
  const input = decodeNpy(files[PACKAGE_FILES.testInput]);
  const output = decodeNpy(files[PACKAGE_FILES.testOutput]);
  const imported = importModelZip(zip, { fileName: 'package.zip' });
  const loaded = await segmenterFromArtifacts(imported.artifacts, imported.card);
  const x = tf.tensor4d(bioimageioPreprocess(input, rdf), input.shape as [number, number, number, number]);
  const y = loaded.predictTile(x);
  expect(y.shape).toEqual(output.shape);
  const diff = maxAbsDiff(y.dataSync() as Float32Array, output.data);
  tf.dispose([x, y]);
  loaded.dispose();
  return { diff, output, rdf };
}

/** The package's ONNX weights in onnxruntime on its preprocessed test input, against its test output. */
async function reproduceWithOnnx(zip: Uint8Array): Promise<number> {
  const files = unzipSync(zip);
  const rdf = strFromU8(files[PACKAGE_FILES.rdf]);
  const input = decodeNpy(files[PACKAGE_FILES.testInput]);
  const output = decodeNpy(files[PACKAGE_FILES.testOutput]);
  const session = await ort.InferenceSession.create(files[PACKAGE_FILES.onnx]);
  try {
    // Fed by position, as bioimageio.core's ONNX adapter does: the rdf's first input to the session's first.
    const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', bioimageioPreprocess(input, rdf), input.shape) });
    const y = result[session.outputNames[0]];
    expect(y.dims).toEqual(output.shape);
    return maxAbsDiff(y.data as Float32Array, output.data);
  } finally {
    await session.release();
  }
}

describe('bioimage.io package', () => {
  it('its ONNX weights (second weights format) reproduce the test output within 1e-4 in onnxruntime', async () => {
    const pkg = await bioimageioPackage(segmenter, card, syntheticImage(150, 120));
    expect(await reproduceWithOnnx(pkg.zip)).toBeLessThanOrEqual(1e-4);
    expect(pkg.rdfYaml).toMatch(/\n {2}onnx:\n {4}source: weights\.onnx\n {4}sha256: \S+\n {4}opset_version: 13\n {4}parent: tensorflow_js\n/);
  });

  it("reproduces its test output from its test input within 1e-4, with the weights loaded back from the package (Node)", async () => {
    const before = tf.memory().numTensors;
    const pkg = await bioimageioPackage(segmenter, card, syntheticImage(150, 120));
    const { diff, output } = await reproduce(pkg.zip);
    expect(diff).toBeLessThanOrEqual(1e-4);
    // Not vacuous: the output varies, and another model's output on the same input does not match it.
    expect(Math.max(...output.data) - Math.min(...output.data)).toBeGreaterThan(1e-3);
    const other = createUnet({ ...config, seed: 12 });
    const otherPkg = await bioimageioPackage(other, { ...card }, syntheticImage(150, 120));
    other.dispose();
    expect(maxAbsDiff(decodeNpy(unzipSync(otherPkg.zip)[PACKAGE_FILES.testOutput]).data, output.data)).toBeGreaterThan(1e-4);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names every file with its correct sha256, and the tensors have the sizes the rdf states', async () => {
    const pkg = await bioimageioPackage(segmenter, card, syntheticImage(40, 30));
    const files = unzipSync(pkg.zip);
    expect(Object.keys(files).sort()).toEqual(Object.values(PACKAGE_FILES).sort());
    const sha = (name: string): string => createHash('sha256').update(files[name]).digest('hex');
    const rdf = pkg.rdfYaml;
    for (const name of [PACKAGE_FILES.weights, PACKAGE_FILES.onnx, PACKAGE_FILES.testInput, PACKAGE_FILES.testOutput]) {
      expect(rdf).toContain(`source: ${name}\n`);
      expect(rdf).toMatch(new RegExp(`source: ${name.replace('.', '\\.')}\\n\\s+sha256: "?${sha(name)}"?\\n`));
    }
    const input = decodeNpy(files[PACKAGE_FILES.testInput]);
    const output = decodeNpy(files[PACKAGE_FILES.testOutput]);
    const side = input.shape[1];
    const min = rdfNumber(rdf, 'min');
    const step = rdfNumber(rdf, 'step');
    expect((side - min) % step).toBe(0);
    expect(isLegalInputSize(config, side)).toBe(true);
    expect(rdfNumber(rdf, 'offset')).toBe(-2 * contextMargin(config));
    expect(output.shape).toEqual([1, side - 2 * contextMargin(config), side - 2 * contextMargin(config), 2]);
    // The image (40x30) is smaller than the window: the window is its mirrored extension, raw values kept.
    expect(input.data.every((v) => v >= 20)).toBe(true);

    const cover = decodePng(files[PACKAGE_FILES.cover]);
    expect(cover.width).toBe(2 * cover.height);
    expect(files[PACKAGE_FILES.cover].length).toBeLessThan(500 * 1024);
    const readme = strFromU8(files[PACKAGE_FILES.documentation]);
    expect(readme).toMatch(/^## Validation$/m);
    expect(readme).toContain('Other et al., No identifier (2019)');
  });

  it("has the weights ZIP of a plain model export inside, importable on its own", async () => {
    const pkg = await bioimageioPackage(segmenter, card, syntheticImage(64, 64));
    const inner = unzipSync(pkg.zip)[PACKAGE_FILES.weights];
    expect(Object.keys(unzipSync(inner)).sort()).toEqual(['group1-shard1of1.bin', 'model-card.json', 'model.json']);
    expect(importModelZip(inner).card).toEqual(card);
  });

  it("describes a 'same' U-Net with a halo and reproduces its output too", async () => {
    const same = createUnet({ ...config, padding: 'same', dropout: 0 });
    const sameCard = createModelCard(same, { name: 'tiny same', task: 'generic', description: '' });
    const pkg = await bioimageioPackage(same, sameCard, syntheticImage(100, 100));
    same.dispose();
    const { diff, output, rdf } = await reproduce(pkg.zip);
    expect(diff).toBeLessThanOrEqual(1e-4);
    expect(await reproduceWithOnnx(pkg.zip)).toBeLessThanOrEqual(1e-4);
    expect(rdfNumber(rdf, 'halo')).toBe(contextMargin(same.config));
    expect(rdfNumber(rdf, 'offset')).toBe(0);
    const input = decodeNpy(unzipSync(pkg.zip)[PACKAGE_FILES.testInput]);
    expect(output.shape.slice(0, 3)).toEqual(input.shape.slice(0, 3));
    expect(input.shape[1] - 2 * rdfNumber(rdf, 'halo')).toBeGreaterThanOrEqual(1);
  });
});

describe('shipped models', () => {
  const root = fileURLToPath(new URL('../../../public/models/', import.meta.url));
  const read = (dir: string) => readdirSync(root + dir).map((name) => ({ name, bytes: new Uint8Array(readFileSync(`${root}${dir}/${name}`)) }));

  const listed = (JSON.parse(readFileSync(`${root}index.json`, 'utf8')) as { models: { path: string }[] }).models.map((m) => m.path);

  it('lists every shipped model folder in index.json', () => {
    const folders = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect([...listed].sort()).toEqual(folders.sort());
  });

  it.each(listed)('public/models/%s passes the import validator', (dir) => {
    const files = read(dir);
    const imported = importModelFiles(files, { expectInChannels: 1 });
    expect(imported.card).toEqual(JSON.parse(readFileSync(`${root}${dir}/model-card.json`, 'utf8')) as ModelCard);
    expect(() => importModelFiles(files, { expectInChannels: 3 })).toThrow(/takes 1 input channel\(s\) but 3/);
  });

  it("refuses the EM model's weights under the nuclei model's card", () => {
    const nuclei = read('nuclei').filter((f) => f.name === 'model-card.json');
    const em = read('em-membranes').filter((f) => f.name !== 'model-card.json');
    expect(() => importModelFiles([...em, ...nuclei])).toThrow(/depth 3, 16 base filters/);
  });

  // The nuclei models only: a forward pass of the depth-4 EM model on the CPU backend takes seconds. The
  // boundary model's package has three output channels, which deepImageJ and ilastik receive as they are.
  it.each(['nuclei', 'nuclei-boundary'])('public/models/%s packages, and its package reproduces its test output', async (dir) => {
    const imported = importModelFiles(read(dir));
    const before = tf.memory().numTensors;
    const loaded = await segmenterFromArtifacts(imported.artifacts, imported.card);
    const pkg = await bioimageioPackage(loaded, imported.card, syntheticImage(200, 200), { maxOutput: 16 });
    loaded.dispose();
    const { diff, rdf } = await reproduce(pkg.zip);
    expect(diff).toBeLessThanOrEqual(1e-4);
    expect(await reproduceWithOnnx(pkg.zip)).toBeLessThanOrEqual(1e-4);
    expect(tf.memory().numTensors).toBe(before);
    expect(rdf).toContain('license: CC0-1.0');
    expect(rdf).toContain('- nuclei\n');
  });
});
