/**
 * `train --resume DIR`: what the train command needs to pick up a stopped run. The run's own flags come
 * from the saved state, so a resumed run cannot silently differ from the one that stopped; only
 * `--stop-after` (where this invocation ends) may be given with it.
 */
import type { ParsedFlags } from './args';
import { UsageError } from './args';
import { loadModelDir } from './modelFiles';
import { readTrainState } from './trainState';
import type { SavedRun } from './trainState';
import type { ModelCard, Segmenter } from '../src/model/types';

const WITH_RESUME = new Set(['resume', 'stop-after']);

/** The saved run in `dir`, after refusing flags that would change it. */
export async function readResumable(dir: string, given: ParsedFlags): Promise<SavedRun> {
  const extra = Object.keys(given).filter((k) => given[k] !== undefined && !WITH_RESUME.has(k));
  if (extra.length > 0) {
    throw new UsageError(`--resume continues the stopped run with its own flags; only --stop-after may be given with it (got --${extra.join(', --')})`);
  }
  return readTrainState(dir);
}

/**
 * The checkpoint's weights, checked to be the ones the state was saved with (the card counts the steps of
 * the model the run started from plus this run's).
 */
export async function loadCheckpoint(dir: string, saved: SavedRun): Promise<{ segmenter: Segmenter; initCard: ModelCard | undefined }> {
  const { segmenter, card } = await loadModelDir(dir);
  const expected = (saved.initCard?.trainedSteps ?? 0) + saved.state.step;
  if (card.trainedSteps !== expected) {
    segmenter.dispose();
    throw new Error(
      `cannot resume from ${dir}: its model has ${card.trainedSteps} trained steps but the saved state is for ${expected}; ` +
        'the weights and the state come from different checkpoints',
    );
  }
  return { segmenter, initCard: saved.initCard ?? undefined };
}

/** argv without the string flag `name` (`--name value` or `--name=value`). */
export function withoutFlag(argv: readonly string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${name}`) i++;
    else if (!argv[i].startsWith(`--${name}=`)) out.push(argv[i]);
  }
  return out;
}
