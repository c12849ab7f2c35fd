import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { connectedComponents } from './components';
import { decodeImage } from './decode';
import { exportBaseName, exportFiles, exportZip } from './export';
import { readRoiSetZip } from './imagejRoi';
import { MEASUREMENT_COLUMNS } from './measure';
import { plainPostProcessing } from './postProcessing';
import { createLabelCanvas, paintSegment } from './labels';
import type { RasterImage } from './types';

const DATA = fileURLToPath(new URL('../../../shared/data/dsb2018-nuclei/', import.meta.url));
const hasData = existsSync(DATA);
const maxOf = (a: ArrayLike<number>): number => {
  let m = -Infinity;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  return m;
};
const decodeOne = (bytes: Uint8Array, name: string): RasterImage => decodeImage(bytes, name).pages[0];

describe.skipIf(!hasData)('exportFiles on a real DSB nuclei image', () => {
  const id = hasData ? readdirSync(DATA + 'images').sort()[1] : '';
  const image = hasData ? decodeOne(new Uint8Array(readFileSync(DATA + 'images/' + id)), id) : null;
  const truth = hasData ? decodeOne(new Uint8Array(readFileSync(DATA + 'labels_binary/' + id)), id) : null;

  it('writes all five files at the image size, consistent with the prediction', () => {
    const { width, height } = image!;
    // A stand-in prediction: the true binary mask, slightly blurred in value (0.1 / 0.9).
    const probability = { width, height, data: Float32Array.from(truth!.data, (v) => (v ? 0.9 : 0.1)) };
    const painted = createLabelCanvas(width, height);
    paintSegment(painted, 10, 10, 60, 40, 4, 2);
    paintSegment(painted, 100, 100, 120, 90, 3, 1);
    const files = exportFiles({ name: `some/folder/${id}`, image: image!, probability, painted });
    const base = id.replace(/\.png$/, '');
    expect(files.map((f) => f.name)).toEqual(['_mask.png', '_labels.png', '_prob.png', '_preview.png', '_painted.png', '_objects.csv', '_RoiSet.zip'].map((s) => base + s));
    const decoded = Object.fromEntries(files.filter((f) => f.name.endsWith('.png')).map((f) => [f.name.slice(base.length + 1), decodeOne(f.bytes, f.name)]));
    for (const img of Object.values(decoded)) expect([img.width, img.height]).toEqual([width, height]);

    const mask = decoded['mask.png'];
    let agree = true;
    for (let i = 0; i < mask.data.length; i++) if (mask.data[i] !== (probability.data[i] >= 0.5 ? 255 : 0)) agree = false;
    expect(agree).toBe(true);

    const labels = decoded['labels.png'];
    expect(labels.bitDepth).toBe(16);
    const expected = connectedComponents(truth!.data, width, height);
    expect(maxOf(labels.data)).toBe(expected.count);
    expect(expected.count).toBeGreaterThan(3);
    expect(decoded['prob.png'].data[truth!.data.indexOf(255)]).toBe(Math.round(Math.fround(0.9) * 255)); // 229: the map is float32
    expect([...decoded['painted.png'].data]).toEqual([...painted.data]);

    // Preview: colour on objects, the plain grey image elsewhere.
    const preview = decoded['preview.png'];
    expect(preview.channels).toBe(4);
    const inObject = truth!.data.indexOf(255);
    const o = inObject * 4;
    expect(new Set([preview.data[o], preview.data[o + 1], preview.data[o + 2]]).size).toBeGreaterThan(1);
    const outside = truth!.data.indexOf(0);
    expect(preview.data[outside * 4]).toBe(preview.data[outside * 4 + 1]);
  });

  it('zips the files (unzip gives the same bytes; duplicate names are kept apart)', () => {
    const { width, height } = image!;
    const files = exportFiles({ name: id, image: image!, probability: { width, height, data: new Float32Array(width * height) } });
    const zip = exportZip([...files, files[0]]);
    const back = unzipSync(zip);
    const names = Object.keys(back).sort();
    expect(names).toHaveLength(files.length + 1);
    expect(names).toContain(files[0].name.replace(/\.png$/, '-2.png'));
    for (const f of files) expect(back[f.name]).toEqual(f.bytes);
  });
});

describe('export checks', () => {
  const image: RasterImage = { width: 400, height: 400, channels: 1, bitDepth: 8, data: new Uint8Array(160000) };

  it('more than 65535 objects -> 32-bit labels TIFF', () => {
    const checker = Float32Array.from({ length: 160000 }, (_, i) => ((i % 400) + Math.floor(i / 400)) % 2);
    const files = exportFiles({ name: 'dense.tif', image, probability: { width: 400, height: 400, data: checker } });
    const labels = files.find((f) => f.name.startsWith('dense_labels'))!;
    expect(labels.name).toBe('dense_labels.tif');
    const t = decodeOne(labels.bytes, labels.name);
    expect(t).toMatchObject({ width: 400, height: 400, bitDepth: 32 });
    expect(maxOf(t.data)).toBe(80000);
    expect(files.map((f) => f.name)).not.toContain('dense_RoiSet.zip');
  });

  it('writes the measurement CSV and an ImageJ RoiSet of the objects; EM cells export the membrane as the mask', () => {
    const small: RasterImage = { width: 40, height: 30, channels: 1, bitDepth: 8, data: new Uint8Array(1200).fill(7) };
    // Two 6x6 squares of probability 1 on 0: two objects, of 36 pixels each.
    const p = new Float32Array(1200);
    for (let y = 5; y < 11; y++) for (let x = 0; x < 6; x++) p[y * 40 + 4 + x] = p[y * 40 + 24 + x] = 1;
    const settings = { ...plainPostProcessing('foreground') };
    const files = exportFiles({ name: 'sq.png', image: small, probability: { width: 40, height: 30, data: p }, postProcessing: settings });
    const csv = new TextDecoder().decode(files.find((f) => f.name === 'sq_objects.csv')!.bytes).trim().split('\n');
    expect(csv[0]).toBe(MEASUREMENT_COLUMNS.join(','));
    expect(csv.slice(1).map((l) => l.split(',').slice(0, 4))).toEqual([['1', '36', '7', '8'], ['2', '36', '27', '8']]);
    expect(csv[1].split(',')[8]).toBe('7');
    const rois = readRoiSetZip(files.find((f) => f.name === 'sq_RoiSet.zip')!.bytes);
    expect(rois.map((r) => r.name)).toEqual(['0001', '0002']);

    // Cells: every pixel belongs to a cell, the mask marks the membrane (p >= threshold).
    const membrane = Float32Array.from({ length: 1200 }, (_, i) => (i % 40 === 20 ? 1 : 0));
    const cells = exportFiles({ name: 'em', image: small, probability: { width: 40, height: 30, data: membrane }, postProcessing: plainPostProcessing('cells') });
    const mask = decodeOne(cells.find((f) => f.name === 'em_mask.png')!.bytes, 'em_mask.png');
    expect([...mask.data].filter((v) => v === 255)).toHaveLength(30);
  });

  it('refuses maps of another size than the image', () => {
    expect(() => exportFiles({ name: 'x', image, probability: { width: 399, height: 400, data: new Float32Array(399 * 400) } }))
      .toThrow(/399x400 but the image is 400x400/);
  });

  it('base names drop folders and image extensions', () => {
    expect(exportBaseName('a/b\\cells 01.ome.tif')).toBe('cells 01');
    expect(exportBaseName('x.PNG')).toBe('x');
    expect(exportBaseName('what?.tiff')).toBe('what_');
    expect(exportBaseName('.png')).toBe('image');
  });
});
