/**
 * The files that let `train --resume DIR` continue a stopped run exactly: `training-state.json` (the run's
 * flags, the step, the generator, the model it started from, the training images) and
 * `training-state.bin` (the optimiser's moments, float32, in the order of the JSON's shapes).
 *
 * Why beside the model: a checkpoint is a model directory, and the state belongs to the weights saved with
 * it. The JSON is written last, through a rename, so a crash mid-write leaves the previous pair or none;
 * the step it records is checked against the card's, so weights and state of different checkpoints are
 * never mixed. A finished run deletes both files: the directory is then just a model.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseModelCard } from '../src/model/io';
import type { TrainState } from '../src/model/train';
import type { SavedTensor } from '../src/model/trainingStep';
import type { ModelCard } from '../src/model/types';

const STATE_FILES = { json: 'training-state.json', bin: 'training-state.bin' } as const;
const FORMAT = 'unet-studio-training-state';

/** What a resume needs beside the weights. */
export interface SavedRun {
  /** The flags of the run (without --resume and --stop-after): a resume re-reads them. */
  readonly argv: readonly string[];
  /** The card of the model the run started from (--init), or null for a new model. */
  readonly initCard: ModelCard | null;
  /** Stems of the training images, in order: a resume refuses a changed data set. */
  readonly images: readonly string[];
  readonly state: TrainState;
}

interface StateJson {
  readonly format: typeof FORMAT;
  readonly version: 1;
  readonly argv: string[];
  readonly initCard: ModelCard | null;
  readonly images: string[];
  readonly step: number;
  readonly rng: TrainState['rng'];
  readonly smoothedLoss: number | null;
  readonly optimizer: { readonly kind: 'adam' | 'sgd'; readonly groups: (readonly number[])[][] };
}

/** Writes the pair (bin first, then the JSON through a rename). */
export async function writeTrainState(dir: string, run: SavedRun): Promise<void> {
  const { state } = run;
  const tensors = state.optimizer.groups.flat();
  const total = tensors.reduce((n, t) => n + t.values.length, 0);
  const bin = new Float32Array(total);
  let offset = 0;
  for (const t of tensors) {
    bin.set(t.values, offset);
    offset += t.values.length;
  }
  const json: StateJson = {
    format: FORMAT,
    version: 1,
    argv: [...run.argv],
    initCard: run.initCard,
    images: [...run.images],
    step: state.step,
    rng: state.rng,
    smoothedLoss: Number.isFinite(state.smoothedLoss) ? state.smoothedLoss : null,
    optimizer: { kind: state.optimizer.optimizer, groups: state.optimizer.groups.map((g) => g.map((t) => [...t.shape])) },
  };
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, STATE_FILES.bin), new Uint8Array(bin.buffer));
  const temporary = path.join(dir, `${STATE_FILES.json}.partial`);
  await fs.writeFile(temporary, JSON.stringify(json));
  await fs.rename(temporary, path.join(dir, STATE_FILES.json));
}

/** Deletes the pair (a finished run). */
export async function removeTrainState(dir: string): Promise<void> {
  await fs.rm(path.join(dir, STATE_FILES.json), { force: true });
  await fs.rm(path.join(dir, STATE_FILES.bin), { force: true });
}

function problem(dir: string, what: string): Error {
  return new Error(`cannot resume from ${dir}: ${what}`);
}

function isShapeList(v: unknown): v is number[][][] {
  return Array.isArray(v) && v.every((g) => Array.isArray(g) && g.every((s) => Array.isArray(s) && s.every((d) => Number.isInteger(d) && d >= 0)));
}

function checkJson(dir: string, json: Partial<StateJson> | null): StateJson {
  if (json === null || typeof json !== 'object' || json.format !== FORMAT) throw problem(dir, `${STATE_FILES.json} is not a U-Net Studio training state`);
  if (json.version !== 1) throw problem(dir, `${STATE_FILES.json} has version ${String(json.version)}; this build reads version 1`);
  const { argv, images, step, rng, optimizer } = json;
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string')) throw problem(dir, 'its argv is not a list of strings');
  if (!Array.isArray(images) || !images.every((a) => typeof a === 'string')) throw problem(dir, 'its image list is not a list of names');
  if (!Number.isInteger(step) || (step ?? 0) < 1) throw problem(dir, `its step ${String(step)} is not a positive integer`);
  if (typeof rng !== 'object' || rng === null || typeof rng.state !== 'number') throw problem(dir, 'its generator state is missing');
  if (typeof optimizer !== 'object' || optimizer === null || (optimizer.kind !== 'adam' && optimizer.kind !== 'sgd') || !isShapeList(optimizer.groups)) {
    throw problem(dir, 'its optimiser state is missing or malformed');
  }
  return json as StateJson;
}

/** Reads the pair; every way it can be missing, damaged or from another build is a message naming `dir`. */
export async function readTrainState(dir: string): Promise<SavedRun> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, STATE_FILES.json), 'utf8');
  } catch {
    throw problem(dir, `it has no ${STATE_FILES.json} (a run leaves one at each checkpoint and when stopped; a finished run deletes it)`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw problem(dir, `${STATE_FILES.json} is not valid JSON: ${(error as Error).message}`);
  }
  const json = checkJson(dir, parsed as Partial<StateJson>);
  const bytes = await fs.readFile(path.join(dir, STATE_FILES.bin)).catch(() => {
    throw problem(dir, `${STATE_FILES.bin} is missing`);
  });
  const sizes = json.optimizer.groups.map((g) => g.map((shape) => shape.reduce((n, d) => n * d, 1)));
  const total = sizes.flat().reduce((n, s) => n + s, 0);
  if (bytes.byteLength !== total * 4) throw problem(dir, `${STATE_FILES.bin} holds ${bytes.byteLength} bytes; its JSON describes ${total * 4}`);
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  let offset = 0;
  const groups: SavedTensor[][] = json.optimizer.groups.map((g, k) =>
    g.map((shape, i) => {
      const tensor = { shape, values: values.slice(offset, offset + sizes[k][i]) };
      offset += sizes[k][i];
      return tensor;
    }),
  );
  return {
    argv: json.argv,
    initCard: json.initCard === null ? null : parseModelCard(json.initCard),
    images: json.images,
    state: {
      step: json.step,
      rng: json.rng,
      smoothedLoss: json.smoothedLoss ?? Number.NaN,
      optimizer: { optimizer: json.optimizer.kind, groups },
    },
  };
}
