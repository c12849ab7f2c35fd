/**
 * npm run segment -- --model MODEL --in DIR --out DIR [--tta] [--threshold 0.5] [--min-size N] [--prob]
 * Segments every PNG/TIFF image in --in with the model (the app's overlap-tile code) and writes, per
 * image, NAME_mask.png (8-bit, 255 = foreground: nuclei or membrane) and for nuclei models also
 * NAME_labels.png (16-bit instance ids, TIFF beyond 65535 objects); --prob adds NAME_prob.png.
 * Multi-page TIFFs get one set of files per page (NAME_p2_mask.png, ...).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { thresholdComponents } from '../src/image/components';
import { decodeImage } from '../src/image/decode';
import { encodeLabels, encodeMaskPng, encodeProbabilityPng } from '../src/image/encode';
import { prepareInput } from '../src/image/normalize';
import { choiceFlag, numberFlag, parseFlags, requiredString, runMain } from './args';
import type { OptionSpec } from './args';
import { initNodeBackend } from './backend';
import { listImageFiles, stemOf } from './dataset';
import { DEFAULT_ENGINE, ENGINE_KINDS, createEngine } from './engine';

const USAGE = `usage: npm run segment -- --model MODEL_DIR --in DIR --out DIR
         [--tta] [--threshold 0.5] [--min-size 0] [--prob] [--backend wasm|cpu] [--engine onnx|tfjs]`;

const SPEC: OptionSpec = {
  model: { type: 'string' },
  in: { type: 'string' },
  out: { type: 'string' },
  tta: { type: 'boolean' },
  threshold: { type: 'string' },
  'min-size': { type: 'string' },
  prob: { type: 'boolean' },
  backend: { type: 'string' },
  engine: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), SPEC);
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const modelDir = requiredString(flags, 'model');
  const inDir = requiredString(flags, 'in');
  const outDir = requiredString(flags, 'out');
  const threshold = numberFlag(flags, 'threshold', 0.5, { min: 0, max: 1 });
  const minSize = numberFlag(flags, 'min-size', 0, { integer: true, min: 0 });
  const files = listImageFiles(inDir, '--in');
  await initNodeBackend(choiceFlag(flags, 'backend', ['wasm', 'cpu'] as const, 'wasm'));
  const engine = await createEngine(choiceFlag(flags, 'engine', ENGINE_KINDS, DEFAULT_ENGINE), modelDir);
  const { card } = engine;
  mkdirSync(outDir, { recursive: true });
  let failed = 0;
  for (const file of files) {
    const stem = stemOf(file);
    try {
      const { pages } = decodeImage(new Uint8Array(readFileSync(file)), path.basename(file));
      for (let p = 0; p < pages.length; p++) {
        const page = pages[p];
        const base = pages.length > 1 ? `${stem}_p${p + 1}` : stem;
        const t0 = Date.now();
        const { probabilities, width, height } = await engine.segment(prepareInput(page, card.normalization), {
          foregroundClass: card.foregroundClass,
          tta: flags.tta === true,
        });
        const written: string[] = [];
        const write = (name: string, bytes: Uint8Array): void => {
          writeFileSync(path.join(outDir, name), bytes);
          written.push(name);
        };
        if (card.task === 'nuclei') {
          const objects = thresholdComponents(probabilities, width, height, threshold, { connectivity: 4, minSize });
          write(`${base}_mask.png`, encodeMaskPng(objects.labels, width, height));
          const labels = encodeLabels(objects.labels, width, height);
          write(`${base}_labels.${labels.extension}`, labels.bytes);
        } else {
          const mask = new Uint8Array(probabilities.length);
          for (let i = 0; i < mask.length; i++) mask[i] = probabilities[i] >= threshold ? 1 : 0;
          write(`${base}_mask.png`, encodeMaskPng(mask, width, height));
        }
        if (flags.prob) write(`${base}_prob.png`, encodeProbabilityPng(probabilities, width, height));
        process.stderr.write(`${path.basename(file)}${pages.length > 1 ? ` page ${p + 1}` : ''}: ${written.join(', ')} (${Date.now() - t0} ms)\n`);
      }
    } catch (e) {
      // One unreadable file should not lose the others' results.
      failed++;
      process.stderr.write(`${path.basename(file)}: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
  await engine.dispose();
  if (failed > 0) throw new Error(`${failed} of ${files.length} files could not be segmented (see above)`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) runMain(USAGE, main);
