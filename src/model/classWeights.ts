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
