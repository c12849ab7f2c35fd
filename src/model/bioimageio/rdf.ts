import type { NormalizationSpec } from '../../image/normalize';
import type { ModelCard, UnetConfig } from '../types';
import { contextMargin, minTileInputSize, sizeStep } from '../validSize';
import { UNET_CITATION, bioimageioName, bioimageioTags, channelNames, classNames, foregroundDescription, spdxLicence, splitCitations } from './metadata';
import type { BioimageioAuthor, BioimageioCitation } from './metadata';
import type { YamlValue } from './yaml';

/*
 * The bioimage.io model description (rdf.yaml, model format 0.5, bioimage.io spec model/v0_5.py) of a
 * U-Net Studio model. Pure: every file it refers to is named with its sha256 by the caller.
 *
 * Tensors are described in the layout the tfjs weights take and give: NHWC, i.e. axes batch, y, x,
 * channel (a consumer feeds the test input to the weights as it is). Sizes follow our valid-size
 * arithmetic (validSize.ts): legal inputs are min + n * step with step = 2^depth. A 'valid' U-Net
 * returns only exact pixels, so the output is the input less the context margin on each side (a size
 * reference with offset -2 * margin, which is how bioimage.io documents a halo the model already
 * cropped). A 'same' U-Net returns the input size, and its border pixels saw zero padding: that border is
 * the output's halo, to be cropped by the consumer.
 *
 * Preprocessing is our normalisation (image/normalize.ts) in bioimage.io terms: percentile mode is
 * scale_range per image and channel (axes y, x), fixed mode is scale_linear; both are followed by a clip
 * to [-0.5, 1.5], the range normalizePlane clamps to.
 */

/** The model description format version written (0.5.4: reproducibility tolerances, '+' in names). */
export const BIOIMAGEIO_FORMAT_VERSION = '0.5.4';

/** Range normalizePlane (image/normalize.ts) clamps normalised values to. */
export const NORMALIZED_CLIP = { min: -0.5, max: 1.5 } as const;

/** Absolute tolerance within which our own runtime reproduces the test output (tested in Node). */
export const TEST_TOLERANCE = 1e-4;

/** Tensor ids of the one input and the one output. */
export const INPUT_ID = 'image';
export const OUTPUT_ID = 'probabilities';

/** A file of the package with its checksum. */
export type PackagedFile = { readonly source: string; readonly sha256: string };

/** What rdf.yaml refers to; the caller writes these files into the package. */
export interface RdfFiles {
  /** ZIP of model.json + weight shard + model-card.json (bioimage.io's tensorflow_js source is one archive). */
  readonly weights: PackagedFile;
  /** The same weights as ONNX (converted from the tensorflow_js weights), with the opset they target. */
  readonly onnx?: PackagedFile & { readonly opsetVersion: number };
  readonly testInput: PackagedFile;
  readonly testOutput: PackagedFile;
  readonly cover: string;
  readonly documentation: string;
}

/** Choices a card cannot carry (authors) or that override what it says. */
export interface BioimageioOptions {
  readonly authors?: readonly BioimageioAuthor[];
  /** Cited in addition to the U-Net paper and the card's citations that have a DOI or URL. */
  readonly citations?: readonly BioimageioCitation[];
  /** SPDX licence id; default: the card's training licence when it names one. */
  readonly license?: string;
  readonly tags?: readonly string[];
  /** Version of this model (SemVer), e.g. "1.0.0". */
  readonly version?: string;
}

/** Sizes of the tensors along y and x. */
export interface AxisSizes {
  /** Smallest legal input side. */
  readonly inputMin: number;
  /** Distance between legal input sides (2^depth). */
  readonly step: number;
  /** Output side = input side + outputOffset (-2 * margin for 'valid', 0 for 'same'). */
  readonly outputOffset: number;
  /** Pixels per side of the output the consumer must crop ('same' only; 0 for 'valid'). */
  readonly halo: number;
}

/** Input and output sizes along one spatial axis, from the valid-size arithmetic. */
export function axisSizes(config: UnetConfig): AxisSizes {
  const margin = contextMargin(config);
  // The smallest input that yields at least one exact output pixel: for 'valid' the smallest legal input.
  const inputMin = minTileInputSize(config);
  return config.padding === 'valid'
    ? { inputMin, step: sizeStep(config), outputOffset: -2 * margin, halo: 0 }
    : { inputMin, step: sizeStep(config), outputOffset: 0, halo: margin };
}

type Mapping = { readonly [key: string]: YamlValue | undefined };

function preprocessing(spec: NormalizationSpec): Mapping[] {
  const float32: Mapping = { id: 'ensure_dtype', kwargs: { dtype: 'float32' } };
  const steps: Mapping[] = [float32];
  if (spec.mode === 'percentile') {
    if (!(spec.low >= 0 && spec.low < 100 && spec.high > 1 && spec.high <= 100 && spec.low < spec.high)) {
      throw new RangeError(
        `bioimage.io: percentiles ${spec.low}..${spec.high} cannot be written as scale_range (needs 0 <= low < high, 1 < high <= 100)`,
      );
    }
    steps.push({ id: 'scale_range', kwargs: { axes: ['y', 'x'], min_percentile: spec.low, max_percentile: spec.high } });
  } else {
    if (!(spec.max > spec.min)) throw new RangeError(`bioimage.io: fixed normalisation needs max > min, got ${spec.min}..${spec.max}`);
    const gain = 1 / (spec.max - spec.min);
    const offset = -spec.min * gain;
    if (gain !== 1 || offset !== 0) steps.push({ id: 'scale_linear', kwargs: { gain, offset } });
  }
  steps.push({ id: 'clip', kwargs: { min: NORMALIZED_CLIP.min, max: NORMALIZED_CLIP.max } }, float32);
  return steps;
}

function spaceAxis(id: 'y' | 'x', sizes: AxisSizes, output: boolean): Mapping {
  if (!output) return { type: 'space', id, size: { min: sizes.inputMin, step: sizes.step } };
  const size = { tensor_id: INPUT_ID, axis_id: id, offset: sizes.outputOffset };
  return sizes.halo > 0 ? { type: 'space', id, size, halo: sizes.halo } : { type: 'space', id, size };
}

function checkedAuthors(authors: readonly BioimageioAuthor[]): Mapping[] {
  return authors.map((a) => {
    if (a.name.trim() === '' || /[/\\]/.test(a.name)) {
      throw new RangeError(`bioimage.io: author name ${JSON.stringify(a.name)} must be non-empty and without '/' or '\\'`);
    }
    return { ...a };
  });
}

/** Citations for rdf.yaml: the U-Net paper, the card's citations that have a DOI or URL, then the options'. */
export function rdfCitations(card: ModelCard, extra: readonly BioimageioCitation[] = []): BioimageioCitation[] {
  const all = [UNET_CITATION, ...splitCitations(card.training?.citation).cite, ...extra];
  for (const c of all) {
    if (!c.doi && !c.url) throw new RangeError(`bioimage.io: the citation "${c.text}" needs a doi or a url`);
  }
  return all;
}

/** bioimage.io timestamps: ISO 8601 with an explicit offset (Python's fromisoformat before 3.11 rejects 'Z'). */
function timestamp(createdAt: string): string {
  const t = new Date(createdAt);
  return (Number.isFinite(t.getTime()) ? t : new Date(0)).toISOString().replace(/Z$/, '+00:00');
}

/** The rdf.yaml content (as a YAML-ready object) of a model, its card and its packaged files. */
export function buildRdf(card: ModelCard, files: RdfFiles, tfjsVersion: string, options: BioimageioOptions = {}): Mapping {
  const config = card.architecture;
  const sizes = axisSizes(config);
  const license = options.license ?? spdxLicence(card.training?.licence);
  return {
    type: 'model',
    format_version: BIOIMAGEIO_FORMAT_VERSION,
    name: bioimageioName(card.name),
    description: card.description.slice(0, 1024) || `U-Net (${card.task}) trained in U-Net Studio`,
    version: options.version,
    authors: options.authors && options.authors.length > 0 ? checkedAuthors(options.authors) : undefined,
    cite: rdfCitations(card, options.citations),
    license,
    tags: bioimageioTags(card, options.tags),
    covers: [files.cover],
    documentation: files.documentation,
    timestamp: timestamp(card.createdAt),
    inputs: [
      {
        id: INPUT_ID,
        description: `raw image, ${config.inChannels === 1 ? 'one channel' : `${config.inChannels} channels`}, normalised by the preprocessing`,
        axes: [{ type: 'batch' }, spaceAxis('y', sizes, false), spaceAxis('x', sizes, false), { type: 'channel', channel_names: channelNames(config.inChannels) }],
        test_tensor: { ...files.testInput },
        data: { type: 'float32' },
        preprocessing: preprocessing(card.normalization),
      },
    ],
    outputs: [
      {
        id: OUTPUT_ID,
        description: foregroundDescription(card, 'softmax class probabilities'),
        axes: [{ type: 'batch' }, spaceAxis('y', sizes, true), spaceAxis('x', sizes, true), { type: 'channel', channel_names: classNames(card) }],
        test_tensor: { ...files.testOutput },
        data: { type: 'float32', range: [0, 1] },
      },
    ],
    weights: {
      tensorflow_js: {
        source: files.weights.source,
        sha256: files.weights.sha256,
        tensorflow_version: tfjsVersion,
        comment: 'tfjs layers model (model.json + one shard) with U-Net Studio model-card.json; needs the custom layer SkipCrop2D',
      },
      ...(files.onnx
        ? {
            onnx: {
              source: files.onnx.source,
              sha256: files.onnx.sha256,
              opset_version: files.onnx.opsetVersion,
              parent: 'tensorflow_js',
              comment: 'converted by U-Net Studio (src/model/onnx); NHWC input and output as described, symbolic height and width',
            },
          }
        : {}),
    },
    config: {
      bioimageio: {
        reproducibility_tolerance: [{ absolute_tolerance: TEST_TOLERANCE, relative_tolerance: 0, mismatched_elements_per_million: 0 }],
      },
    },
  };
}
