/**
 * Class weights: how a model's class probabilities become its one foreground map (ModelCard.classWeights).
 * Kept apart from io.ts and segment.ts so that both, and the ONNX tiler, check them the same way.
 */

/** Why `weights` cannot weigh the classes of a `classes`-class model into a foreground map, or null. */
export function classWeightsProblem(weights: unknown, classes: number): string | null {
  if (!Array.isArray(weights) || weights.length !== classes) return `must be an array of ${classes} numbers, one per class`;
  if (!weights.every((w) => typeof w === 'number' && w >= 0 && w <= 1)) return 'must hold numbers between 0 and 1';
  if (!weights.some((w) => (w as number) > 0)) return 'must weigh at least one class above 0';
  return null;
}

/** The class weights if given, checked against the model's classes (a RangeError names the caller). */
export function checkedClassWeights(weights: readonly number[] | undefined, classes: number, caller: string): number[] | undefined {
  if (weights === undefined) return undefined;
  const problem = classWeightsProblem(weights, classes);
  if (problem !== null) throw new RangeError(`${caller}: classWeights ${problem}`);
  return [...weights];
}

/**
 * The classes a painted foreground pixel may be (fine-tuning's painted labels say only foreground or
 * background): every class the foreground map weighs above 0, or the foreground class alone. For a
 * boundary-class model ([0, 1, 0.5]) a painted nucleus pixel is interior or boundary, 1 and 2.
 */
export function paintedForegroundClasses(card: { readonly foregroundClass: number; readonly classWeights?: readonly number[] }): number[] {
  if (card.classWeights === undefined) return [card.foregroundClass];
  return card.classWeights.flatMap((w, c) => (w > 0 ? [c] : []));
}

/**
 * Why painted foreground / background labels cannot train a `classes`-class model whose foreground is
 * `foreground`, or null: each side needs at least one class.
 */
export function paintedClassesProblem(foreground: readonly number[], classes: number): string | null {
  if (foreground.length === 0 || foreground.some((c) => !Number.isInteger(c) || c < 0 || c >= classes)) {
    return `the foreground classes [${foreground.join(', ')}] are not classes of this ${classes}-class model`;
  }
  if (new Set(foreground).size >= classes) return `every class of this ${classes}-class model is foreground, so a painted background has no class`;
  return null;
}
