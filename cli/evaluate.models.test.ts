/**
 * The shipped default models (public/models/*) load in Node and reproduce the held-out metrics in their
 * cards. `npm run evaluate -- ... --json public/models/NAME/evaluation.json --write-card` stored per-image
 * metrics next to each model; this test re-scores a few of those images with the same code path
 * (decode, normalise from the card, overlap-tile segmentPlane at the stored object scale, scoreProbabilities) and checks that the
 * stored mean is what the card says. Skipped where ../shared/data is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareInput } from '../src/image/normalize';
import { atObjectScale, plainPostProcessing, type PostProcessing } from '../src/image/postProcessing';
import { foregroundMapOptions } from '../src/model/io';
import { segmentAtObjectScale, type DiameterSetting } from '../src/model/objectScale';
import { segmentPlane } from '../src/model/segment';
import { initNodeBackend } from './backend';
import { labelFileFor, readRaster } from './dataset';
import { scoreProbabilities } from './evaluate';
import { loadModelDir } from './modelFiles';

const root = path.resolve(__dirname, '..');
const data = path.resolve(root, '../shared/data');

interface Shipped {
  readonly dir: string;
  readonly images: string;
  readonly labels: string;
  readonly labelsFormat: 'binary' | 'instance';
  /** Images re-scored (all 5 EM slices; for nuclei, empty = the first two stored, to stay quick). */
  readonly subset: readonly string[];
}

interface Evaluation {
  readonly task: 'nuclei' | 'membranes';
  /** Written since issue 10; older evaluations hold only threshold and minSize (plain components). */
  readonly postProcessing?: PostProcessing;
  readonly threshold?: number;
  readonly minSize?: number;
  readonly membraneValue: number;
  readonly tta: boolean;
  /** The object scale it was scored at (since issue 10): 'off', 'auto' or a diameter in px. */
  readonly diameter?: DiameterSetting;
  /** false when scored with --no-fuse (objects beyond the 2x clamp not averaged with a second scale). */
  readonly fuse?: false;
  readonly mean: Record<string, number>;
  readonly images: ({ name: string } & Record<string, number>)[];
}

const shipped: readonly Shipped[] = [
  {
    dir: path.join(root, 'public/models/nuclei'),
    images: path.join(data, 'dsb2018-nuclei/images'),
    labels: path.join(data, 'dsb2018-nuclei/labels_instance'),
    labelsFormat: 'instance',
    subset: [],
  },
  {
    // Three classes: its map is interior + boundary / 2 (the card's classWeights), as in segment and the app.
    dir: path.join(root, 'public/models/nuclei-boundary'),
    images: path.join(data, 'dsb2018-nuclei/images'),
    labels: path.join(data, 'dsb2018-nuclei/labels_instance'),
    labelsFormat: 'instance',
    subset: [],
  },
  {
    dir: path.join(root, 'public/models/em-membranes'),
    images: path.join(data, 'isbi2012-em/images'),
    labels: path.join(data, 'isbi2012-em/labels'),
    labelsFormat: 'binary',
    subset: ['20', '21', '22', '23', '24'],
  },
];

describe.skipIf(!existsSync(data))('shipped models', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each(shipped)('$dir loads and reproduces its card', async (m) => {
    const evaluation = JSON.parse(readFileSync(path.join(m.dir, 'evaluation.json'), 'utf8')) as Evaluation;
    const before = tf.memory().numTensors;
    const { segmenter, card } = await loadModelDir(m.dir);
    expect(card.metrics).toBeDefined();
    // The card's numbers are the evaluation's means (rounded to 4 decimals).
    for (const [k, v] of Object.entries(card.metrics ?? {})) expect(evaluation.mean[k]).toBeCloseTo(v, 4);
    // Re-score a few held-out images: the first two stored, or the listed subset.
    const names = m.subset.length > 0 ? m.subset : evaluation.images.slice(0, 2).map((r) => r.name);
    for (const name of names) {
      const stored = evaluation.images.find((r) => r.name === name);
      expect(stored, `${name} is in the stored evaluation`).toBeDefined();
      const imageFile = path.join(m.images, `${name}.png`);
      const raster = readRaster(imageFile);
      const postProcessing = evaluation.postProcessing ?? {
        ...plainPostProcessing(evaluation.task === 'membranes' ? 'cells' : 'foreground'),
        threshold: evaluation.threshold ?? 0.5,
        minSize: evaluation.minSize ?? 0,
      };
      const options = { ...foregroundMapOptions(card), tta: evaluation.tta };
      const { probabilities, scale } = await segmentAtObjectScale(
        async (plane) => (await segmentPlane(segmenter, plane, options)).probabilities,
        prepareInput(raster, card.normalization),
        { trainingDiameter: card.objectDiameter ?? 1, diameter: evaluation.diameter ?? 'off', postProcessing, ...(evaluation.fuse === false ? { fuseMaxScale: 0 } : {}) },
      );
      const scores = scoreProbabilities(probabilities, readRaster(labelFileFor(imageFile, m.labels)), {
        task: evaluation.task,
        labelsFormat: m.labelsFormat,
        membraneValue: evaluation.membraneValue,
        postProcessing: atObjectScale(postProcessing, scale),
      });
      // Metrics added since the evaluation was stored (e.g. maskRandError) have nothing to compare with.
      for (const [k, v] of Object.entries(scores)) if (k in stored!) expect(v, `${name} ${k}`).toBeCloseTo(stored![k], 3);
    }
    segmenter.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
