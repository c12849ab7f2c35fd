import * as tf from '@tensorflow/tfjs';
import { strFromU8, strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelImportProblem } from './importErrors';
import { ModelImportError } from './importErrors';
import { createModelCard, segmenterFromArtifacts } from './io';
import { modelFiles, modelZip } from './modelExport';
import { importModel, importModelFiles, importModelZip } from './modelImport';
import type { ImportedModel, NamedFile } from './modelImport';
import type { ModelCard, Segmenter } from './types';
import { createUnet } from './unet';

let segmenter: Segmenter;
let card: ModelCard;
let files: NamedFile[];
let good: Record<string, Uint8Array>;

beforeAll(async () => {
  await tf.setBackend('cpu');
  segmenter = createUnet({ depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 3 });
  card = createModelCard(segmenter, { name: 'tiny', task: 'nuclei', description: 'import tests' });
  files = await modelFiles(segmenter, card);
  good = Object.fromEntries(files.map((f) => [f.name, f.bytes]));
});
afterAll(() => segmenter.dispose());

const json = (value: unknown): Uint8Array => strToU8(JSON.stringify(value));
const parsed = <T>(bytes: Uint8Array): T => JSON.parse(strFromU8(bytes)) as T;
type ModelJson = { modelTopology: unknown; format?: string; weightsManifest: { paths: string[]; weights: Record<string, unknown>[] }[] };

/** The good files with some replaced (undefined removes one). */
function variant(changes: Record<string, Uint8Array | undefined>): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = { ...good };
  for (const [name, bytes] of Object.entries(changes)) {
    if (bytes === undefined) delete out[name];
    else out[name] = bytes;
  }
  return out;
}

function modelJsonWith(edit: (m: ModelJson) => void): Uint8Array {
  const m = parsed<ModelJson>(good['model.json']);
  edit(m);
  return json(m);
}

/** Runs an import expected to fail; checks the problem code and that the message says what is wrong. */
function expectRefused(run: () => ImportedModel, problem: ModelImportProblem, message: RegExp): void {
  const before = tf.memory().numTensors;
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ModelImportError);
  expect((caught as ModelImportError).problem).toBe(problem);
  expect((caught as ModelImportError).message).toMatch(message);
  expect(tf.memory().numTensors).toBe(before);
}

/** Replaces every occurrence of an ASCII name in the archive bytes (local header and central directory). */
function renameInZip(zip: Uint8Array, from: string, to: string): Uint8Array {
  expect(to.length).toBe(from.length);
  const out = zip.slice();
  const a = strToU8(from);
  for (let i = 0; i + a.length <= out.length; i++) {
    if (a.every((b, j) => out[i + j] === b)) out.set(strToU8(to), i);
  }
  return out;
}

function predict(s: Segmenter, x: tf.Tensor4D): Float32Array {
  return tf.tidy(() => s.predictTile(x).dataSync() as Float32Array);
}

describe('model import: the good cases', () => {
  it('export -> import of the ZIP gives the same card and the same predictions', async () => {
    const zip = await modelZip(segmenter, card);
    const before = tf.memory().numTensors;
    const imported = importModelZip(zip, { fileName: 'tiny.zip', expectInChannels: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(imported.card).toEqual(card);
    expect(imported.source).toBe('tiny.zip');

    const loaded = await segmenterFromArtifacts(imported.artifacts, imported.card);
    const x = tf.randomUniform([1, 44, 60, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
    expect(Array.from(predict(loaded, x))).toEqual(Array.from(predict(segmenter, x)));
    loaded.dispose();
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is deterministic: the same model and card give the same ZIP bytes', async () => {
    expect(await modelZip(segmenter, card)).toEqual(await modelZip(segmenter, card));
  });

  it('reads loose files, a ZIP with the model in one folder, and ignores OS clutter and extra files', () => {
    expect(importModelFiles(files).card.name).toBe('tiny');
    const extra = [...files, { name: 'evaluation.json', bytes: json({ any: 1 }) }];
    expect(importModelFiles(extra).card.name).toBe('tiny');
    const inFolder = zipSync({
      'tiny/': new Uint8Array(0),
      'tiny/model.json': good['model.json'],
      'tiny/group1-shard1of1.bin': good['group1-shard1of1.bin'],
      'tiny/model-card.json': good['model-card.json'],
      '__MACOSX/tiny/._model.json': new Uint8Array([0, 5, 22, 7]),
      'tiny/.DS_Store': new Uint8Array([1, 2, 3]),
    });
    const imported = importModelZip(inFolder);
    expect(imported.artifacts.weightSpecs?.length).toBe(parsed<ModelJson>(good['model.json']).weightsManifest[0].weights.length);
  });

  it('reads weights split over several shards, in manifest order', async () => {
    const bin = good['group1-shard1of1.bin'];
    const cut = 1000;
    const split = variant({
      'model.json': modelJsonWith((m) => (m.weightsManifest[0].paths = ['part1.bin', 'part2.bin'])),
      'group1-shard1of1.bin': undefined,
      'part1.bin': bin.slice(0, cut),
      'part2.bin': bin.slice(cut),
    });
    const imported = importModelZip(zipSync(split));
    const loaded = await segmenterFromArtifacts(imported.artifacts, imported.card);
    const x = tf.randomUniform([1, 44, 44, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
    expect(Array.from(predict(loaded, x))).toEqual(Array.from(predict(segmenter, x)));
    loaded.dispose();
    x.dispose();
  });

  it('reads a bioimage.io-style package: the tfjs files in a ZIP inside the ZIP, the card inside or beside it', () => {
    const rdf = strToU8('type: model\n');
    const inner = zipSync(good);
    expect(importModelZip(zipSync({ 'rdf.yaml': rdf, 'weights.zip': inner }), { fileName: 'p.zip' }).source).toBe('p.zip > weights.zip');
    const innerNoCard = zipSync(variant({ 'model-card.json': undefined }));
    const beside = zipSync({ 'rdf.yaml': rdf, 'weights.zip': innerNoCard, 'model-card.json': good['model-card.json'] });
    expect(importModelZip(beside).card).toEqual(card);
    expectRefused(() => importModelZip(zipSync({ 'rdf.yaml': rdf, 'weights.zip': innerNoCard })), 'missing-file', /model-card\.json is missing from the ZIP > weights\.zip/);
    expectRefused(
      () => importModelZip(zipSync({ 'rdf.yaml': rdf, 'a.zip': inner, 'b.zip': inner })),
      'missing-file',
      /no model\.json .* in the ZIP; found rdf\.yaml, a\.zip, b\.zip/,
    );
    // The nested archive is held to the same rules as the outer one.
    const evilInner = zipSync({ ...good, '../x': new Uint8Array(1) });
    expectRefused(() => importModelZip(zipSync({ 'rdf.yaml': rdf, 'weights.zip': evilInner })), 'unsafe-name', /the ZIP > weights\.zip contains the entry "\.\.\/x"/);
  });

  it('importModel takes one ZIP or loose files', async () => {
    const zip = await modelZip(segmenter, card);
    expect(importModel([{ name: 'm.zip', bytes: zip }]).source).toBe('m.zip');
    expect(importModel(files).source).toBe('the chosen files');
  });
});

describe('model import: refusals', () => {
  it('refuses bytes that are not a ZIP, and a truncated ZIP', () => {
    expectRefused(() => importModelZip(strToU8('hello, not a zip'), { fileName: 'x.zip' }), 'not-a-zip', /x\.zip is not a ZIP archive/);
    const zip = zipSync(good);
    expectRefused(() => importModelZip(zip.slice(0, zip.length >> 1)), 'not-a-zip', /not a readable ZIP|damaged/);
  });

  it('refuses malformed JSON in model.json and in the card, naming the file', () => {
    expectRefused(() => importModelZip(zipSync(variant({ 'model.json': strToU8('{"modelTopology": ') }))), 'malformed-json', /^model\.json in the ZIP is not valid JSON/);
    expectRefused(
      () => importModelZip(zipSync(variant({ 'model-card.json': strToU8('{name: tiny}') }))),
      'malformed-json',
      /^model-card\.json in the ZIP is not valid JSON/,
    );
  });

  it('refuses a missing model.json, card or weight file', () => {
    expectRefused(() => importModelZip(zipSync(variant({ 'model.json': undefined }))), 'missing-file', /no model\.json .*found group1-shard1of1\.bin, model-card\.json/);
    expectRefused(() => importModelZip(zipSync(variant({ 'model-card.json': undefined }))), 'missing-file', /model-card\.json is missing from the ZIP/);
    expectRefused(
      () => importModelZip(zipSync(variant({ 'group1-shard1of1.bin': undefined }))),
      'missing-file',
      /weights are missing: model\.json names group1-shard1of1\.bin/,
    );
    expectRefused(() => importModelFiles(files.filter((f) => f.name !== 'model-card.json')), 'missing-file', /model-card\.json is missing from the chosen files/);
  });

  it('refuses wrong weights: a manifest naming another shard, too short or too long a shard', () => {
    const renamed = variant({ 'model.json': modelJsonWith((m) => (m.weightsManifest[0].paths = ['other.bin'])) });
    expectRefused(() => importModelZip(zipSync(renamed)), 'missing-file', /model\.json names other\.bin, which is not in the ZIP/);
    const bin = good['group1-shard1of1.bin'];
    expectRefused(
      () => importModelZip(zipSync(variant({ 'group1-shard1of1.bin': bin.slice(0, bin.length - 4) }))),
      'weights-size',
      new RegExp(`too short: group1-shard1of1\\.bin holds ${bin.length - 4} bytes but .* need ${bin.length}`),
    );
    const longer = new Uint8Array(bin.length + 8);
    longer.set(bin);
    expectRefused(() => importModelZip(zipSync(variant({ 'group1-shard1of1.bin': longer }))), 'weights-size', /too long/);
  });

  it("refuses weights whose shapes do not match the card's architecture", () => {
    const deeper = { ...card, architecture: { ...card.architecture, depth: 3 } };
    expectRefused(() => importModelZip(zipSync(variant({ 'model-card.json': json(deeper) }))), 'shape-mismatch', /depth 3/);
    const wider = { ...card, architecture: { ...card.architecture, baseFilters: 8 } };
    expectRefused(
      () => importModelZip(zipSync(variant({ 'model-card.json': json(wider) }))),
      'shape-mismatch',
      /down0_conv1\/kernel has shape \[3, 3, 1, 4\] but the card's architecture .* needs \[3, 3, 1, 8\]/,
    );
    const twisted = variant({
      'model.json': modelJsonWith((m) => {
        const w = m.weightsManifest[0].weights.find((s) => s.name === 'logits/kernel');
        if (w) w.shape = [1, 1, 2, 4];
      }),
    });
    expectRefused(() => importModelZip(zipSync(twisted)), 'shape-mismatch', /logits\/kernel has shape \[1, 1, 2, 4\]/);
  });

  it('refuses a model whose input channels differ from what is needed', () => {
    expectRefused(() => importModelZip(zipSync(good), { expectInChannels: 3 }), 'channels-mismatch', /"tiny" takes 1 input channel\(s\) but 3 are needed/);
    const rgbCard = { ...card, architecture: { ...card.architecture, inChannels: 3 } };
    expectRefused(() => importModelZip(zipSync(variant({ 'model-card.json': json(rgbCard) }))), 'shape-mismatch', /down0_conv1\/kernel .*needs \[3, 3, 3, 4\]/);
  });

  it('refuses an invalid card, an unknown dtype, a graph model and foreign layers', () => {
    expectRefused(() => importModelZip(zipSync(variant({ 'model-card.json': json({ ...card, task: 'cats' }) }))), 'bad-card', /not a valid model card: task must be/);
    const int32 = variant({ 'model.json': modelJsonWith((m) => (m.weightsManifest[0].weights[0].dtype = 'int32')) });
    expectRefused(() => importModelZip(zipSync(int32)), 'unknown-dtype', /down0_conv1\/kernel has dtype "int32"/);
    const graph = variant({ 'model.json': modelJsonWith((m) => (m.format = 'graph-model')) });
    expectRefused(() => importModelZip(zipSync(graph)), 'bad-model-json', /"graph-model"; only layers models/);
    const lambda = variant({
      'model.json': modelJsonWith((m) => ((m.modelTopology as { config: { layers: { class_name: string }[] } }).config.layers[2].class_name = 'Lambda')),
    });
    expectRefused(() => importModelZip(zipSync(lambda)), 'bad-model-json', /"Lambda"/);
  });

  it.each(['../evil.bin', '/etc/passwd', 'a/../../b', 'dir\\file.bin', 'C:/x.bin'])('refuses a ZIP with the entry name %j', (name) => {
    expectRefused(() => importModelZip(zipSync({ ...good, [name]: new Uint8Array([1]) })), 'unsafe-name', /is refused: the name/);
  });

  it('refuses a manifest that points a shard outside its folder, and unsafe loose file names', () => {
    const escaping = variant({ 'model.json': modelJsonWith((m) => (m.weightsManifest[0].paths = ['../group1-shard1of1.bin'])) });
    expectRefused(() => importModelZip(zipSync(escaping)), 'unsafe-name', /"\.\.\/group1-shard1of1\.bin", which is not a plain relative path/);
    expectRefused(() => importModelFiles([...files, { name: '../../x', bytes: new Uint8Array(1) }]), 'unsafe-name', /"\.\.\/\.\.\/x"/);
  });

  it('refuses duplicate entry names (also differing only in case) and two models in one ZIP', () => {
    const zip = zipSync({ ...good, 'model.jsoX': good['model.json'] });
    expectRefused(() => importModelZip(renameInZip(zip, 'model.jsoX', 'model.json')), 'duplicate-name', /"model\.json" twice/);
    expectRefused(() => importModelZip(zipSync({ ...good, 'MODEL.JSON': good['model.json'] })), 'duplicate-name', /twice/);
    const two = zipSync({ a: good, b: good });
    expectRefused(() => importModelZip(two), 'duplicate-name', /2 model\.json files .*a\/model\.json, b\/model\.json/);
  });

  it('refuses oversized entries before inflating them, and too many entries', () => {
    // 16 MiB of zeros deflates to ~16 KiB: the limit is checked on the declared size, so nothing is inflated.
    const bomb = zipSync({ ...good, 'zeros.bin': new Uint8Array(16 * 1024 * 1024) });
    expect(bomb.length).toBeLessThan(256 * 1024);
    expectRefused(
      () => importModelZip(bomb, { limits: { maxEntryBytes: 4 * 1024 * 1024 } }),
      'too-large',
      /"zeros\.bin" is 16\.0 MiB uncompressed; the limit is 4\.0 MiB/,
    );
    expectRefused(() => importModelZip(bomb, { limits: { maxTotalBytes: 8 * 1024 * 1024 } }), 'too-large', /unpacks to 16\.0 MiB/);
    expectRefused(() => importModelZip(zipSync(good), { limits: { maxEntries: 2 } }), 'too-large', /3 entries; at most 2/);
    expectRefused(() => importModelZip(zipSync(good), { limits: { maxJsonBytes: 100 } }), 'too-large', /JSON files may be at most/);
  });

  it('leaves the bytes it was given unchanged', () => {
    const zip = zipSync(variant({ 'model-card.json': strToU8('{') }));
    const copy = zip.slice();
    expect(() => importModelZip(zip)).toThrow(ModelImportError);
    expect(zip).toEqual(copy);
  });
});
