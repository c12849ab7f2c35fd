import { describe, expect, it } from 'vitest';
import { toYaml, yamlNumber, yamlString } from './yaml';

describe('yamlString', () => {
  it('writes unambiguous strings plain', () => {
    for (const s of ['model', 'tensorflow_js', 'U-Net nuclei (DSB 2018)', 'README.md', 'cover.png', 'scale_range', 'x']) {
      expect(yamlString(s), s).toBe(s);
    }
  });

  it('quotes what YAML 1.1 or 1.2 would read as a number, boolean, null or structure', () => {
    expect(yamlString('0.5.4')).toBe('"0.5.4"');
    expect(yamlString('1e-7')).toBe('"1e-7"');
    expect(yamlString('-1')).toBe('"-1"');
    expect(yamlString('.inf')).toBe('".inf"');
    expect(yamlString('yes')).toBe('"yes"');
    expect(yamlString('Off')).toBe('"Off"');
    expect(yamlString('y')).toBe('"y"'); // a boolean in YAML 1.1, like n
    expect(yamlString('x')).toBe('x');
    expect(yamlString('null')).toBe('"null"');
    expect(yamlString('~')).toBe('"~"');
    expect(yamlString('')).toBe('""');
    expect(yamlString('a: b')).toBe('"a: b"');
    expect(yamlString('a #b')).toBe('"a #b"');
    expect(yamlString('- item')).toBe('"- item"');
    expect(yamlString('trailing ')).toBe('"trailing "');
    expect(yamlString('two\nlines')).toBe('"two\\nlines"');
    expect(yamlString('say "hi"')).toBe('"say \\"hi\\""');
    expect(yamlString('Ünïcode')).toBe('"Ünïcode"');
    expect(yamlString('a\u2028b')).toBe('"a\\u2028b"');
  });
});

describe('yamlNumber', () => {
  it('writes integers and decimals as they are, exponents with a dot and a signed exponent', () => {
    expect(yamlNumber(0)).toBe('0');
    expect(yamlNumber(-0)).toBe('0');
    expect(yamlNumber(42)).toBe('42');
    expect(yamlNumber(-184)).toBe('-184');
    expect(yamlNumber(99.8)).toBe('99.8');
    expect(yamlNumber(0.0001)).toBe('0.0001');
    expect(yamlNumber(1e-7)).toBe('1.0e-7');
    expect(yamlNumber(2.5e-8)).toBe('2.5e-8');
    expect(yamlNumber(1e21)).toBe('1.0e+21');
    expect(() => yamlNumber(Number.NaN)).toThrow(/non-finite/);
    expect(() => yamlNumber(Infinity)).toThrow(/non-finite/);
  });
});

describe('toYaml', () => {
  it('writes nested mappings and sequences in block style', () => {
    const doc = {
      type: 'model',
      format_version: '0.5.4',
      tags: ['unet', '2d'],
      empty: [],
      none: {},
      skipped: undefined,
      inputs: [
        {
          id: 'image',
          axes: [{ type: 'batch' }, { type: 'space', id: 'y', size: { min: 188, step: 16 } }],
          test_tensor: { source: 'test_input.npy', sha256: '0af3' },
        },
      ],
      matrix: [
        [1, 2],
        [3, 4],
      ],
      flag: true,
      nothing: null,
      'odd key': 1,
    };
    expect(toYaml(doc, ['written by a test'])).toBe(
      [
        '# written by a test',
        'type: model',
        'format_version: "0.5.4"',
        'tags:',
        '  - unet',
        '  - "2d"',
        'empty: []',
        'none: {}',
        'inputs:',
        '  - id: image',
        '    axes:',
        '      - type: batch',
        '      - type: space',
        '        id: "y"',
        '        size:',
        '          min: 188',
        '          step: 16',
        '    test_tensor:',
        '      source: test_input.npy',
        '      sha256: "0af3"',
        'matrix:',
        '  - - 1',
        '    - 2',
        '  - - 3',
        '    - 4',
        'flag: true',
        'nothing: null',
        '"odd key": 1',
        '',
      ].join('\n'),
    );
  });
});
