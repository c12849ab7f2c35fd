import { describe, expect, it } from 'vitest';
import type { ModelCard, UnetConfig } from '../types';
import { contextMargin, minInputSize, minTileInputSize } from '../validSize';
import { bioimageioName, bioimageioTags, classNames, foregroundDescription, spdxLicence, splitCitations } from './metadata';
import { BIOIMAGEIO_FORMAT_VERSION, axisSizes, buildRdf } from './rdf';
import type { RdfFiles } from './rdf';
import { packageReadme } from './readme';

const architecture: UnetConfig = { depth: 3, baseFilters: 16, inChannels: 1, classes: 2, dropout: 0.1, padding: 'valid', seed: 1 };
const card: ModelCard = {
  name: 'em-membranes',
  task: 'membranes',
  description: 'U-Net for EM cell membranes; foreground = membrane.',
  architecture,
  normalization: { mode: 'percentile', low: 1, high: 99.8 },
  foregroundClass: 1,
  createdAt: '2026-11-25T05:54:36.079Z',
  trainedSteps: 3500,
  training: {
    command: 'npm run train',
    seed: 2,
    data: 'ISBI 2012',
    licence: 'CC BY 4.0',
    citation: 'Cardona et al., PLoS Biol 8(10):e1000502 (2010); Arganda-Carreras et al., Front. Neuroanat. 9:142 (2015), https://doi.org/10.3389/fnana.2015.00142',
  },
  metrics: { pixelError: 0.0804, randError: 0.3905 },
  heldOut: '5 images',
  parameters: 1234,
};
const files: RdfFiles = {
  weights: { source: 'tfjs_weights.zip', sha256: 'a'.repeat(64) },
  testInput: { source: 'test_input.npy', sha256: 'b'.repeat(64) },
  testOutput: { source: 'test_output.npy', sha256: 'c'.repeat(64) },
  cover: 'cover.png',
  documentation: 'README.md',
};

type Obj = Record<string, unknown>;
const at = (value: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((v, k) => (v as Obj | unknown[] | undefined)?.[k as never], value);

describe('metadata', () => {
  it('maps licence texts to SPDX ids only when they name one', () => {
    expect(spdxLicence('CC0 1.0 (public domain)')).toBe('CC0-1.0');
    expect(spdxLicence('CC BY 4.0')).toBe('CC-BY-4.0');
    expect(spdxLicence('cc-by-nc-4.0')).toBe('CC-BY-NC-4.0');
    expect(spdxLicence('MIT')).toBe('MIT');
    expect(spdxLicence('research and non-commercial use')).toBeUndefined();
    expect(spdxLicence(undefined)).toBeUndefined();
  });

  it('splits citations into those with a DOI or URL and text-only ones', () => {
    const { cite, textOnly } = splitCitations(card.training?.citation);
    expect(cite).toEqual([
      {
        text: 'Arganda-Carreras et al., Front. Neuroanat. 9:142 (2015), https://doi.org/10.3389/fnana.2015.00142',
        doi: '10.3389/fnana.2015.00142',
      },
    ]);
    expect(textOnly).toEqual(['Cardona et al., PLoS Biol 8(10):e1000502 (2010)']);
    expect(splitCitations('See https://example.org/paper.').cite).toEqual([{ text: 'See https://example.org/paper.', url: 'https://example.org/paper' }]);
  });

  it('makes names bioimage.io accepts (5..128 of letters, digits, _+- ())', () => {
    expect(bioimageioName('nuclei')).toBe('nuclei');
    expect(bioimageioName('em')).toBe('U-Net em');
    expect(bioimageioName('Kerne: Maus/Ratte #2')).toBe('Kerne- Maus-Ratte -2');
    expect(bioimageioName('x'.repeat(300))).toHaveLength(128);
    expect(bioimageioName('')).toBe('U-Net model');
  });

  it('names classes after the task and tags from the bioimage.io categories', () => {
    expect(classNames(card)).toEqual(['cell', 'membrane']);
    expect(classNames({ ...card, task: 'nuclei' })).toEqual(['background', 'nucleus']);
    expect(classNames({ ...card, task: 'generic', architecture: { ...architecture, classes: 3 }, foregroundClass: 2 })).toEqual([
      'class0',
      'class1',
      'foreground',
    ]);
    expect(bioimageioTags(card)).toEqual(expect.arrayContaining(['electron-microscopy', 'cell-membrane', '2d', 'tensorflow.js', 'unet']));
  });

  it('says which output is the foreground, and spells out the weighted sum of a boundary-class card', () => {
    expect(foregroundDescription(card, 'softmax class probabilities')).toBe('softmax class probabilities; class 1 (membrane) is the foreground');
    expect(foregroundDescription(card, 'Foreground')).toBe('Foreground: class 1 (membrane)');
    const boundary: ModelCard = { ...card, task: 'nuclei', architecture: { ...architecture, classes: 3 }, classWeights: [0, 1, 0.5] };
    expect(foregroundDescription(boundary, 'Foreground')).toBe(
      'Foreground map is the weighted sum 0 x class0 + 1 x nucleus + 0.5 x class2 of the class probabilities',
    );
  });
});

describe('axisSizes', () => {
  it("follows the valid-size arithmetic: 'valid' output = input - 2 margin, 'same' output = input with a halo", () => {
    expect(axisSizes(architecture)).toEqual({ inputMin: minInputSize(architecture), step: 8, outputOffset: -2 * contextMargin(architecture), halo: 0 });
    expect(axisSizes(architecture)).toEqual({ inputMin: 92, step: 8, outputOffset: -88, halo: 0 });
    const same = { ...architecture, padding: 'same' as const };
    const sizes = axisSizes(same);
    expect(sizes).toEqual({ inputMin: minTileInputSize(same), step: 8, outputOffset: 0, halo: contextMargin(same) });
    expect(sizes.inputMin - 2 * sizes.halo).toBeGreaterThanOrEqual(1); // bioimage.io's halo check
  });
});

describe('buildRdf', () => {
  const rdf = buildRdf(card, files, '4.22.0', { authors: [{ name: 'A. Person', orcid: '0000-0002-1825-0097' }] });

  it('has the required model fields, consistent with the card', () => {
    expect(rdf.type).toBe('model');
    expect(rdf.format_version).toBe(BIOIMAGEIO_FORMAT_VERSION);
    expect(BIOIMAGEIO_FORMAT_VERSION).toMatch(/^0\.5\.\d+$/);
    expect(rdf.name).toBe('em-membranes');
    expect(rdf.description).toBe(card.description);
    expect(rdf.license).toBe('CC-BY-4.0');
    expect(rdf.authors).toEqual([{ name: 'A. Person', orcid: '0000-0002-1825-0097' }]);
    expect(rdf.covers).toEqual(['cover.png']);
    expect(rdf.documentation).toBe('README.md');
    expect(rdf.timestamp).toBe('2026-11-25T05:54:36.079+00:00');
    expect(at(rdf, 'cite', 0, 'doi')).toBe('10.1007/978-3-319-24574-4_28');
    expect(at(rdf, 'cite', 1, 'doi')).toBe('10.3389/fnana.2015.00142');
    expect(rdf.cite).toHaveLength(2);
    expect(at(rdf, 'weights', 'tensorflow_js')).toMatchObject({ source: 'tfjs_weights.zip', sha256: 'a'.repeat(64), tensorflow_version: '4.22.0' });
  });

  it('describes NHWC tensors with legal sizes and the normalisation as preprocessing', () => {
    const input = at(rdf, 'inputs', 0) as Obj;
    expect(input.test_tensor).toEqual(files.testInput);
    expect((input.axes as Obj[]).map((a) => a.id ?? a.type)).toEqual(['batch', 'y', 'x', 'channel']);
    expect(at(input, 'axes', 1, 'size')).toEqual({ min: 92, step: 8 });
    expect(at(input, 'axes', 3, 'channel_names')).toEqual(['intensity']);
    expect(input.preprocessing).toEqual([
      { id: 'ensure_dtype', kwargs: { dtype: 'float32' } },
      { id: 'scale_range', kwargs: { axes: ['y', 'x'], min_percentile: 1, max_percentile: 99.8 } },
      { id: 'clip', kwargs: { min: -0.5, max: 1.5 } },
      { id: 'ensure_dtype', kwargs: { dtype: 'float32' } },
    ]);
    const output = at(rdf, 'outputs', 0) as Obj;
    expect(output.test_tensor).toEqual(files.testOutput);
    expect(at(output, 'axes', 2, 'size')).toEqual({ tensor_id: 'image', axis_id: 'x', offset: -88 });
    expect(at(output, 'axes', 2, 'halo')).toBeUndefined();
    expect(at(output, 'axes', 3, 'channel_names')).toEqual(['cell', 'membrane']);
    expect(at(rdf, 'config', 'bioimageio', 'reproducibility_tolerance', 0, 'absolute_tolerance')).toBe(1e-4);
  });

  it('writes fixed normalisation as scale_linear, and refuses what bioimage.io cannot express', () => {
    const fixed = buildRdf({ ...card, normalization: { mode: 'fixed', min: 100, max: 300 } }, files, '4.22.0');
    expect(at(fixed, 'inputs', 0, 'preprocessing', 1)).toEqual({ id: 'scale_linear', kwargs: { gain: 1 / 200, offset: -0.5 } });
    const identity = buildRdf({ ...card, normalization: { mode: 'fixed', min: 0, max: 1 } }, files, '4.22.0');
    expect(at(identity, 'inputs', 0, 'preprocessing', 1, 'id')).toBe('clip');
    expect(() => buildRdf({ ...card, normalization: { mode: 'percentile', low: 0, high: 0.9 } }, files, '4.22.0')).toThrow(/scale_range/);
    expect(() => buildRdf(card, files, '4.22.0', { authors: [{ name: 'a/b' }] })).toThrow(/author name/);
    expect(() => buildRdf(card, files, '4.22.0', { citations: [{ text: 'no id' }] })).toThrow(/needs a doi or a url/);
  });

  it('leaves out the licence when the card names no SPDX licence, unless one is given', () => {
    const noLicence = { ...card, training: { ...card.training!, licence: 'research and non-commercial use' } };
    expect(buildRdf(noLicence, files, '4.22.0').license).toBeUndefined();
    expect(buildRdf(noLicence, files, '4.22.0', { license: 'CC-BY-NC-4.0' }).license).toBe('CC-BY-NC-4.0');
  });
});

describe('packageReadme', () => {
  it('documents tensors, training, a Validation section with the metrics, and every citation', () => {
    const readme = packageReadme(card, {
      weightsFile: 'tfjs_weights.zip',
      testInputShape: [1, 148, 148, 1],
      testOutputShape: [1, 60, 60, 2],
      citations: [{ text: 'U-Net', doi: '10.1007/978-3-319-24574-4_28' }],
      license: 'CC-BY-4.0',
      tfjsVersion: '4.22.0',
    });
    expect(readme).toMatch(/^# em-membranes$/m);
    expect(readme).toMatch(/^## Validation$/m);
    expect(readme).toContain('| randError | 0.3905 |');
    expect(readme).toContain('Legal sides: 92 + n x 8');
    expect(readme).toContain('less 88 px');
    expect(readme).toContain('- U-Net. https://doi.org/10.1007/978-3-319-24574-4_28');
    expect(readme).toContain('- Cardona et al., PLoS Biol 8(10):e1000502 (2010)');
    expect(readme).toContain('CC-BY-4.0 (the card\'s training licence: "CC BY 4.0")');
  });
});
