import type { ModelCard } from '../types';

/*
 * The descriptive fields of a bioimage.io package, derived from our model card: name, tags, class
 * names, licence and citations. bioimage.io is stricter than the card (names from a small character
 * set, SPDX licence ids, citations with a DOI or URL), so anything the card states in a form
 * bioimage.io cannot hold is kept for the README instead of being forced into rdf.yaml.
 */

/** A person in rdf.yaml (authors, maintainers). */
export type BioimageioAuthor = {
  readonly name: string;
  readonly affiliation?: string;
  readonly email?: string;
  readonly github_user?: string;
  readonly orcid?: string;
};

/** A citation in rdf.yaml: free text plus a DOI or a URL (bioimage.io requires one of them). */
export type BioimageioCitation = {
  readonly text: string;
  readonly doi?: string;
  readonly url?: string;
};

/** The architecture's paper, cited by every package. */
export const UNET_CITATION: BioimageioCitation = {
  text: 'Ronneberger, Fischer & Brox, U-Net: Convolutional Networks for Biomedical Image Segmentation, MICCAI 2015',
  doi: '10.1007/978-3-319-24574-4_28',
};

/** bioimage.io model names: 5..128 characters of letters, digits, '_+- ()'. */
export function bioimageioName(cardName: string): string {
  let name = cardName.replace(/[^A-Za-z0-9_+\- ()]+/g, '-').replace(/\s+/g, ' ').trim();
  if (name === '') return 'U-Net model';
  if (name.length < 5) name = `U-Net ${name}`;
  return name.slice(0, 128).trim();
}

/** Names of the output classes, from the card's task and foreground class (lower-case identifiers). */
export function classNames(card: ModelCard): string[] {
  const fg = card.task === 'nuclei' ? 'nucleus' : card.task === 'membranes' ? 'membrane' : 'foreground';
  const rest = card.task === 'membranes' ? 'cell' : 'background';
  const names: string[] = [];
  for (let c = 0; c < card.architecture.classes; c++) {
    if (c === card.foregroundClass) names.push(fg);
    else names.push(card.architecture.classes === 2 ? rest : `class${c}`);
  }
  return names;
}

/** Names of the input channels. */
export function channelNames(inChannels: number): string[] {
  return inChannels === 3 ? ['red', 'green', 'blue'] : Array.from({ length: inChannels }, (_, i) => (inChannels === 1 ? 'intensity' : `channel${i}`));
}

/** Tags from bioimage.io's categories (modality, dims, content, framework, network, task) plus our own. */
export function bioimageioTags(card: ModelCard, extra: readonly string[] = []): string[] {
  const byTask: Record<ModelCard['task'], string[]> = {
    nuclei: ['fluorescence-light-microscopy', 'nuclei'],
    membranes: ['electron-microscopy', 'cell-membrane'],
    generic: [],
  };
  const tags = ['2d', ...byTask[card.task], 'tensorflow.js', 'unet', 'semantic-segmentation', 'unet-studio', ...extra];
  return [...new Set(tags)];
}

/** SPDX ids a card's licence text is matched against (the common licences of data and models). */
const SPDX_IDS = [
  'CC0-1.0',
  'CC-BY-4.0',
  'CC-BY-SA-4.0',
  'CC-BY-NC-4.0',
  'CC-BY-NC-SA-4.0',
  'CC-BY-ND-4.0',
  'CC-BY-NC-ND-4.0',
  'MIT',
  'Apache-2.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'GPL-3.0-only',
  'GPL-3.0-or-later',
  'LGPL-3.0-only',
  'MPL-2.0',
  'Unlicense',
];

/**
 * The SPDX id a licence text names ("CC0 1.0 (public domain)" -> "CC0-1.0", "CC BY 4.0" -> "CC-BY-4.0"),
 * or undefined when it names none (e.g. "research and non-commercial use").
 */
export function spdxLicence(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const head = text.split('(')[0].trim().replace(/[\s_]+/g, '-').toLowerCase();
  return SPDX_IDS.find((id) => id.toLowerCase() === head);
}

const DOI = /\b(10\.\d{4,9}\/[^\s,;]+[^\s,;.)])/;
const URL_PATTERN = /\bhttps?:\/\/[^\s,;]+[^\s,;.)]/;

/**
 * Splits the card's citation text (entries separated by ';') into citations with a DOI or URL (for
 * rdf.yaml) and those without either (which bioimage.io cannot hold; they go to the README).
 */
export function splitCitations(text: string | undefined): { cite: BioimageioCitation[]; textOnly: string[] } {
  const cite: BioimageioCitation[] = [];
  const textOnly: string[] = [];
  for (const part of (text ?? '').split(';').map((s) => s.trim())) {
    if (part === '') continue;
    const doi = DOI.exec(part)?.[1];
    const url = URL_PATTERN.exec(part)?.[0];
    if (doi !== undefined) cite.push({ text: part, doi });
    else if (url !== undefined) cite.push({ text: part, url });
    else textOnly.push(part);
  }
  return { cite, textOnly };
}

/**
 * Which output is the foreground, in words: `lead` then the class, or, for a card with classWeights
 * (a boundary-class model), the weighted sum that U-Net Studio segments, so that a deepImageJ or
 * ilastik user can rebuild the same map from the softmax.
 */
export function foregroundDescription(card: ModelCard, lead: string): string {
  const names = classNames(card);
  if (card.classWeights === undefined) {
    return lead === 'Foreground'
      ? `Foreground: class ${card.foregroundClass} (${names[card.foregroundClass]})`
      : `${lead}; class ${card.foregroundClass} (${names[card.foregroundClass]}) is the foreground`;
  }
  const sum = card.classWeights.map((w, c) => `${w} x ${names[c]}`).join(' + ');
  return `${lead === 'Foreground' ? 'Foreground' : `${lead}; the foreground`} map is the weighted sum ${sum} of the class probabilities`;
}
