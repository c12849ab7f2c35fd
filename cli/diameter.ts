/**
 * npm run diameter -- --labels DIR [--labels-format instance|binary] [--membrane-value V]
 *                     [--ids ... | --list FILE | --group G | --holdout-group G] [--metadata CSV]
 *                     [--write-card MODEL_DIR] [--json FILE]
 * The typical object diameter of a set of label images (src/image/objectDiameter.ts: area-weighted
 * median equivalent diameter per image, border-cut objects left out), per image, per size group of the
 * metadata when there is one, and over all images: the median of the per-image values, the number a
 * model card records as `objectDiameter` (--write-card) and new images are rescaled to. Instance labels
 * give the objects directly; binary labels their 4-connected components (for ISBI membranes: the cells,
 * the pixels not equal to --membrane-value).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { medianObjectDiameter } from '../src/image/objectDiameter';
import { MODEL_FILES, parseModelCard } from '../src/model/io';
import { choiceFlag, numberFlag, optionalString, parseFlags, requiredString, runMain } from './args';
import type { OptionSpec } from './args';
import { fileFilterFromFlags, filterFiles, listImageFiles, readGroups, readRaster, stemOf } from './dataset';
import { median, objectIds, trainingDiameter } from './labelDiameter';

const USAGE = `usage: npm run diameter -- --labels DIR [--labels-format instance|binary] [--membrane-value V]
         [--ids 0-19 | --list FILE | --group G | --holdout-group G] [--metadata CSV]
         [--write-card MODEL_DIR] [--json FILE]`;

const SPEC: OptionSpec = {
  labels: { type: 'string' },
  'labels-format': { type: 'string' },
  'membrane-value': { type: 'string' },
  ids: { type: 'string' },
  list: { type: 'string' },
  group: { type: 'string' },
  'holdout-group': { type: 'string' },
  metadata: { type: 'string' },
  'write-card': { type: 'string' },
  json: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), SPEC);
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const labelsDir = requiredString(flags, 'labels');
  const format = choiceFlag(flags, 'labels-format', ['instance', 'binary'] as const, 'instance');
  const membraneValue = numberFlag(flags, 'membrane-value', undefined, { min: 0 });
  const filter = fileFilterFromFlags(flags);
  const files = filterFiles(listImageFiles(labelsDir, '--labels'), labelsDir, filter);
  let groups: Map<string, string> | undefined;
  try {
    groups = readGroups(filter.metadata ?? path.join(path.dirname(path.resolve(labelsDir)), 'metadata.csv'));
  } catch {
    groups = undefined;
  }
  const perImage: { name: string; group: string; diameter: number }[] = [];
  for (const file of files) {
    const raster = readRaster(file);
    const d = medianObjectDiameter(objectIds(raster, format, membraneValue), raster.width, raster.height);
    if (d === undefined) continue;
    perImage.push({ name: stemOf(file), group: groups?.get(stemOf(file)) ?? 'all', diameter: d });
  }
  if (perImage.length === 0) throw new Error('no objects in any label image');
  const byGroup = new Map<string, number[]>();
  for (const r of perImage) byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r.diameter]);
  for (const [group, ds] of [...byGroup].sort()) {
    process.stdout.write(`${group.padEnd(10)} ${String(ds.length).padStart(4)} images  median diameter ${median(ds).toFixed(1)} px  (range ${Math.min(...ds).toFixed(1)}-${Math.max(...ds).toFixed(1)})\n`);
  }
  const overall = trainingDiameter(perImage.map((r) => r.diameter));
  process.stdout.write(`${'ALL'.padEnd(10)} ${String(perImage.length).padStart(4)} images  median diameter ${overall.toFixed(1)} px\n`);
  const jsonFile = optionalString(flags, 'json');
  if (jsonFile !== undefined) writeFileSync(jsonFile, JSON.stringify({ objectDiameter: overall, images: perImage }, null, 2) + '\n');
  const modelDir = optionalString(flags, 'write-card');
  if (modelDir !== undefined) {
    const cardFile = path.join(modelDir, MODEL_FILES.card);
    const current = parseModelCard(JSON.parse(readFileSync(cardFile, 'utf8')) as unknown);
    writeFileSync(cardFile, JSON.stringify(parseModelCard({ ...current, objectDiameter: overall }), null, 2) + '\n');
    process.stderr.write(`objectDiameter ${overall} written to ${cardFile}\n`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) runMain(USAGE, main);
