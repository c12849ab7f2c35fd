/**
 * npm run segment -- --model MODEL --in DIR --out DIR [--tta] [--prob] [--prob-float] [--csv] [--rois]
 *                    [--ids ... | --group G] [post-processing flags]
 * Segments every PNG/TIFF image in --in with the model (the app's overlap-tile code) and writes, per
 * image, NAME_mask.png (8-bit, 255 = foreground: the objects for nuclei, the membrane for EM) and
 * NAME_labels.png (16-bit object ids: nuclei, or for membrane models the cells the membranes enclose;
 * a 32-bit TIFF beyond 65535 objects). Objects come from the shared post-processing
 * (src/image/postProcessing.ts), as in evaluate and the app. --prob adds NAME_prob.png (8-bit),
 * --prob-float NAME_prob.tif (32-bit float, exact: evaluate --probabilities scores it), --csv the
 * per-object measurements NAME_objects.csv, --rois the outlines as NAME_RoiSet.zip for Fiji's ROI
 * Manager. Multi-page TIFFs get one set of files per page (NAME_p2_mask.png, ...). summary.csv lists
 * every image's size and object count. --workers N segments N images at a time in worker threads.
 * --shard K/N takes the K-th of N shares of the folder (cli/shard.ts) and records it in shards/;
 * --merge --out DIR checks that all N shares finished and writes the folder's summary.csv.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeImage } from '../src/image/decode';
import { encodeLabels, encodeMaskPng, encodeProbabilityPng } from '../src/image/encode';
import { roiSetZip } from '../src/image/imagejRoi';
import { measureObjects, measurementsCsv } from '../src/image/measure';
import { prepareInput, toSingleChannel } from '../src/image/normalize';
import { atObjectScale, objectsFromProbability } from '../src/image/postProcessing';
import { encodeTiff } from '../src/image/tiffWrite';
import { foregroundMapOptions } from '../src/model/io';
import { choiceFlag, numberFlag, optionalString, parseFlags, requiredString, runMain } from './args';
import type { OptionSpec } from './args';
import { fileFilterFromFlags, filterFiles, listImageFiles, stemOf } from './dataset';
import { DEFAULT_ENGINE, ENGINE_KINDS } from './engine';
import { DEFAULT_WORKERS, createEnginePool, forEachConcurrent } from './enginePool';
import { scaleFileName, scaleRecord } from './probabilityFiles';
import { inputsHash, mergeShards, parseShard, shardFiles, summaryCsv, writeShardRecord } from './shard';
import type { SummaryRow } from './shard';
import { DIAMETER_SPEC, DIAMETER_USAGE, MODEL_PIXELS, describeScale, diameterFromFlags, fuseMaxScaleFromFlags, segmentWithDiameter } from './diameterFlag';
import { describePostProcessing, objectKindForTask, POST_PROCESSING_SPEC, POST_PROCESSING_USAGE, postProcessingFromFlags } from './postProcessingFlags';

const USAGE = `usage: npm run segment -- --model MODEL_DIR --in DIR --out DIR
         [--tta] [--prob] [--prob-float] [--csv] [--rois] [--backend wasm|cpu] [--engine onnx|tfjs]
         [--ids 3,5-8 | --list FILE | --group G | --holdout-group G] [--metadata CSV]
         [--workers N] [--threads T (onnx threads per worker; default: the cores shared out)] [--shard K/N]
${DIAMETER_USAGE}
${POST_PROCESSING_USAGE}
       npm run segment -- --merge --out DIR      (after all shards of --shard K/N have finished)`;

const SPEC: OptionSpec = {
  model: { type: 'string' },
  in: { type: 'string' },
  out: { type: 'string' },
  tta: { type: 'boolean' },
  prob: { type: 'boolean' },
  'prob-float': { type: 'boolean' },
  csv: { type: 'boolean' },
  rois: { type: 'boolean' },
  ids: { type: 'string' },
  list: { type: 'string' },
  group: { type: 'string' },
  'holdout-group': { type: 'string' },
  metadata: { type: 'string' },
  ...POST_PROCESSING_SPEC,
  ...DIAMETER_SPEC,
  backend: { type: 'string' },
  engine: { type: 'string' },
  workers: { type: 'string' },
  threads: { type: 'string' },
  shard: { type: 'string' },
  merge: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), SPEC);
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (flags.merge) {
    mergeMain(requiredString(flags, 'out'));
    return;
  }
  const modelDir = requiredString(flags, 'model');
  const inDir = requiredString(flags, 'in');
  const outDir = requiredString(flags, 'out');
  const allFiles = filterFiles(listImageFiles(inDir, '--in'), inDir, fileFilterFromFlags(flags));
  const shardSpec = optionalString(flags, 'shard');
  const shard = shardSpec === undefined ? undefined : parseShard(shardSpec);
  const files = shard ? shardFiles(allFiles, shard) : allFiles;
  const engine = await createEnginePool(choiceFlag(flags, 'engine', ENGINE_KINDS, DEFAULT_ENGINE), modelDir, {
    workers: numberFlag(flags, 'workers', DEFAULT_WORKERS, { min: 1, max: 64, integer: true }),
    threadsPerWorker: numberFlag(flags, 'threads', undefined, { min: 1, max: 256, integer: true }),
    backend: choiceFlag(flags, 'backend', ['wasm', 'cpu'] as const, 'wasm'),
  });
  process.stderr.write(`${engine.description}${shard ? `; shard ${shard.index}/${shard.count}: ${files.length} of ${allFiles.length} images` : ''}\n`);
  const { card } = engine;
  const settings = postProcessingFromFlags(flags, objectKindForTask(card.task), card.postProcessing);
  const diameter = diameterFromFlags(flags, card);
  process.stderr.write(`objects: ${describePostProcessing(settings)}${diameter === 'off' ? '' : MODEL_PIXELS}\n`);
  const fuseMaxScale = fuseMaxScaleFromFlags(flags);
  mkdirSync(outDir, { recursive: true });
  let failed = 0;
  const rows: SummaryRow[] = [];
  const failures: { image: string; error: string }[] = [];
  await forEachConcurrent(files, engine.workers, async (file) => {
    const stem = stemOf(file);
    try {
      const { pages } = decodeImage(new Uint8Array(readFileSync(file)), path.basename(file));
      for (let p = 0; p < pages.length; p++) {
        const page = pages[p];
        const base = pages.length > 1 ? `${stem}_p${p + 1}` : stem;
        const t0 = Date.now();
        const scaled = await segmentWithDiameter(engine, prepareInput(page, card.normalization), diameter, settings, {
          ...foregroundMapOptions(card),
          tta: flags.tta === true,
        }, fuseMaxScale);
        const { probabilities, width, height } = scaled;
        const written: string[] = [];
        const write = (name: string, bytes: Uint8Array | string): void => {
          writeFileSync(path.join(outDir, name), bytes);
          written.push(name);
        };
        // Pixel settings are in the model's pixels: converted to this image's at the scale it was segmented at.
        const objects = objectsFromProbability(probabilities, width, height, atObjectScale(settings, scaled.scale));
        if (settings.objects === 'cells') {
          // The mask is the membrane; the objects are the cells between membranes.
          const membrane = new Uint8Array(probabilities.length);
          for (let i = 0; i < membrane.length; i++) membrane[i] = probabilities[i] >= settings.threshold ? 1 : 0;
          write(`${base}_mask.png`, encodeMaskPng(membrane, width, height));
        } else {
          write(`${base}_mask.png`, encodeMaskPng(objects.labels, width, height));
        }
        const labels = encodeLabels(objects.labels, width, height);
        write(`${base}_labels.${labels.extension}`, labels.bytes);
        if (flags.csv) write(`${base}_objects.csv`, measurementsCsv(measureObjects(objects.labels, width, height, toSingleChannel(page, 'mean').data)));
        if (flags.rois) write(`${base}_RoiSet.zip`, roiSetZip(objects.labels, width, height));
        if (flags.prob) write(`${base}_prob.png`, encodeProbabilityPng(probabilities, width, height));
        if (flags['prob-float']) {
          write(`${base}_prob.tif`, encodeTiff([{ width, height, channels: 1, data: probabilities }], { compression: 'deflate', predictor: true }));
        }
        // evaluate --probabilities needs the scale to make the same objects from a saved map.
        if ((flags.prob || flags['prob-float']) && scaled.scale !== 1) write(scaleFileName(base), scaleRecord(scaled));
        const where = pages.length > 1 ? ` page ${p + 1}` : '';
        rows.push({ image: path.basename(file), page: p + 1, width, height, objects: objects.count });
        process.stderr.write(`${path.basename(file)}${where}: ${objects.count} objects, ${describeScale(scaled)}; ${written.join(', ')} (${Date.now() - t0} ms)\n`);
      }
    } catch (e) {
      // One unreadable file should not lose the others' results.
      failed++;
      failures.push({ image: path.basename(file), error: e instanceof Error ? e.message : String(e) });
      process.stderr.write(`${path.basename(file)}: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  });
  await engine.dispose();
  if (shard) {
    const inputs = files.map((f) => path.basename(f));
    const record = writeShardRecord(outDir, { shard, totalInputs: allFiles.length, inputsHash: inputsHash(allFiles), inputs, rows, failed: failures });
    process.stderr.write(`shard ${shard.index}/${shard.count} recorded in ${record}\n`);
  } else writeFileSync(path.join(outDir, 'summary.csv'), summaryCsv(rows));
  if (failed > 0) throw new Error(`${failed} of ${files.length} files could not be segmented (see above)`);
}

/** `--merge`: every shard's record present and consistent, then the folder's summary.csv. */
function mergeMain(outDir: string): void {
  const merged = mergeShards(outDir);
  writeFileSync(path.join(outDir, 'summary.csv'), summaryCsv(merged.rows));
  const objects = merged.rows.reduce((n, r) => n + r.objects, 0);
  process.stderr.write(`${merged.count} shards merged: ${merged.rows.length} images, ${objects} objects; ${path.join(outDir, 'summary.csv')}\n`);
  if (merged.failed.length > 0) {
    for (const f of merged.failed) process.stderr.write(`${f.image}: ${f.error}\n`);
    throw new Error(`${merged.failed.length} images could not be segmented (see above)`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) runMain(USAGE, main);
