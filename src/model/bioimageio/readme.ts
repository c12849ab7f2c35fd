import type { ModelCard } from '../types';
import { contextMargin } from '../validSize';
import { channelNames, classNames, foregroundDescription, splitCitations } from './metadata';
import type { BioimageioCitation } from './metadata';
import { NORMALIZED_CLIP, TEST_TOLERANCE, axisSizes } from './rdf';

/*
 * The package's documentation (README.md, rdf `documentation`): what the model is, the exact input and
 * output contract, how it was trained and validated (bioimage.io looks for a "Validation" section), and
 * every citation, including those the card gives without a DOI or URL, which rdf.yaml cannot hold.
 */

/** What the README needs beyond the card. */
export interface ReadmeInfo {
  readonly weightsFile: string;
  readonly testInputShape: readonly number[];
  readonly testOutputShape: readonly number[];
  readonly citations: readonly BioimageioCitation[];
  readonly license?: string;
  readonly tfjsVersion: string;
  /** The ONNX weights file and its opset, when the package has one. */
  readonly onnx?: { readonly file: string; readonly opsetVersion: number };
}

function citationLine(c: BioimageioCitation): string {
  if (c.doi) return `- ${c.text}. https://doi.org/${c.doi}`;
  return c.url ? `- ${c.text}. ${c.url}` : `- ${c.text}`;
}

function normalisationText(card: ModelCard): string {
  const n = card.normalization;
  const clip = `then clipped to [${NORMALIZED_CLIP.min}, ${NORMALIZED_CLIP.max}]`;
  return n.mode === 'percentile'
    ? `Per image and channel, the value at percentile ${n.low} maps to 0 and the value at percentile ${n.high} to 1 (rdf: scale_range over y, x), ${clip}.`
    : `Values map linearly from [${n.min}, ${n.max}] to [0, 1] (rdf: scale_linear), ${clip}.`;
}

function validationSection(card: ModelCard): string[] {
  const lines = ['## Validation', ''];
  const metrics = Object.entries(card.metrics ?? {});
  if (metrics.length === 0) {
    lines.push('No held-out metrics were recorded for this model.');
  } else {
    lines.push(`Held-out evaluation: ${card.heldOut ?? 'held-out images (not described in the card)'}.`, '', '| metric | value |', '|---|---|');
    for (const [name, value] of metrics) lines.push(`| ${name} | ${value} |`);
  }
  lines.push(
    '',
    `The package's test input, preprocessed as rdf.yaml says, reproduces its test output within an absolute ` +
      `tolerance of ${TEST_TOLERANCE} in U-Net Studio's own runtime (TensorFlow.js).`,
  );
  return lines;
}

/** README.md of a bioimage.io package. */
export function packageReadme(card: ModelCard, info: ReadmeInfo): string {
  const a = card.architecture;
  const sizes = axisSizes(a);
  const margin = contextMargin(a);
  const training = card.training;
  const textOnly = splitCitations(training?.citation).textOnly;
  const lines = [
    `# ${card.name}`,
    '',
    card.description,
    '',
    'A U-Net (Ronneberger, Fischer & Brox, MICCAI 2015) for 2D semantic segmentation, trained and exported by U-Net Studio.',
    '',
    '## Architecture and tensors',
    '',
    `- Depth ${a.depth}, ${a.baseFilters} filters at the first level (doubling per level), '${a.padding}' 3x3 convolutions, ` +
      `2x2 transposed-convolution upsampling, dropout ${a.dropout}` +
      (card.parameters !== undefined ? `, ${card.parameters} parameters.` : '.'),
    `- Input \`image\`: float32, axes batch, y, x, channel (NHWC, the layout of the TensorFlow.js weights); ` +
      `channels: ${channelNames(a.inChannels).join(', ')}. Legal sides: ${sizes.inputMin} + n x ${sizes.step}.`,
    a.padding === 'valid'
      ? `- Output \`probabilities\`: softmax over the classes ${classNames(card).join(', ')}; each side is the input side ` +
        `less ${2 * margin} px (a context margin of ${margin} px per side; the output pixels are exact).`
      : `- Output \`probabilities\`: softmax over the classes ${classNames(card).join(', ')}, same size as the input; ` +
        `crop a halo of ${margin} px per side (those pixels saw zero padding).`,
    `- ${foregroundDescription(card, 'Foreground')}.`,
    `- Test tensors: input [${info.testInputShape.join(', ')}], output [${info.testOutputShape.join(', ')}].`,
    '',
    '## Preprocessing',
    '',
    normalisationText(card),
    '',
    '## Training',
    '',
    `- Steps: ${card.trainedSteps}. Created: ${card.createdAt}.`,
  ];
  if (training) {
    lines.push(`- Data: ${training.data}`, `- Data licence: ${training.licence}`, `- Seed: ${training.seed}`, '', '```', training.command, '```');
  }
  lines.push('', ...validationSection(card), '', '## Files', '');
  lines.push(
    `- \`${info.weightsFile}\`: model.json + group1-shard1of1.bin (TensorFlow.js ${info.tfjsVersion} layers model) + model-card.json. ` +
      'U-Net Studio imports this ZIP, or the whole package, directly. Other TensorFlow.js code must register the custom layer ' +
      '`SkipCrop2D` first (a centre crop by its `cropping` pixels per side).',
    ...(info.onnx
      ? [
          `- \`${info.onnx.file}\`: the same weights as ONNX (opset ${info.onnx.opsetVersion}), converted by U-Net Studio's own exporter; ` +
            'same NHWC input and output as above, any legal height and width. Runs in onnxruntime (deepImageJ, ilastik, bioimageio.core).',
        ]
      : []),
    '- `test_input.npy`, `test_output.npy`: NumPy float32 arrays (see above).',
    '- `cover.png`: normalised test input (left) and foreground probability (right).',
    '',
    '## Citations',
    '',
    ...info.citations.map(citationLine),
    ...textOnly.map((t) => `- ${t}`),
    '',
    '## Licence',
    '',
    info.license !== undefined
      ? `${info.license}${training ? ` (the card's training licence: "${training.licence}")` : ''}.`
      : `No SPDX licence id could be derived${training ? `; the card's training licence reads "${training.licence}"` : ''}.`,
    '',
  );
  return lines.join('\n');
}
