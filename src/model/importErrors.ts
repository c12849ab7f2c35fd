/**
 * The one error type of model import. `code` lets a caller (the worker, a test) tell the cases apart
 * without parsing text; `message` is written for the user and names the file and the problem.
 */

/** Every way an import can be refused. */
export type ModelImportProblem =
  /** The bytes are not a ZIP archive, or the archive is damaged. */
  | 'not-a-zip'
  /** An entry name is absolute, climbs out of its folder, or is otherwise unsafe. */
  | 'unsafe-name'
  /** Two entries have the same name. */
  | 'duplicate-name'
  /** An entry, the archive's total, or the number of entries exceeds a stated limit. */
  | 'too-large'
  /** model.json, model-card.json or a weight shard is missing. */
  | 'missing-file'
  /** model.json or model-card.json is not valid JSON. */
  | 'malformed-json'
  /** model-card.json is JSON but not a valid card. */
  | 'bad-card'
  /** model.json is not a tfjs layers model of a U-Net. */
  | 'bad-model-json'
  /** A weight has a dtype or quantisation we do not read. */
  | 'unknown-dtype'
  /** The shards hold fewer or more bytes than the weight specs need. */
  | 'weights-size'
  /** A weight is missing, unexpected, or of the wrong shape for the card's architecture. */
  | 'shape-mismatch'
  /** The model's input channels differ from what the caller needs. */
  | 'channels-mismatch';

/** Refusal of a model import, with a message that names the file and the problem. */
export class ModelImportError extends Error {
  readonly problem: ModelImportProblem;

  constructor(problem: ModelImportProblem, message: string) {
    super(message);
    this.name = 'ModelImportError';
    this.problem = problem;
  }
}

/** Throws a ModelImportError. */
export function refuse(problem: ModelImportProblem, message: string): never {
  throw new ModelImportError(problem, message);
}

/** Byte count for messages: "1.5 MiB", "812 bytes". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
