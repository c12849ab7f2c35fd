import type { ModelCard } from '../worker/protocol';

/**
 * Names of the two painted classes (value 1, value 2) for each model task. Value 2 is the class the model
 * calls foreground: the nucleus for nuclei, the membrane for EM (so value 1 there is the cell).
 */
export const TASK_CLASS_NAMES: Record<ModelCard['task'], readonly [string, string]> = {
  nuclei: ['background', 'nucleus'],
  membranes: ['cell', 'membrane'],
  generic: ['background', 'foreground'],
};

/**
 * The class names to show once a model of `task` is selected: the task's names, unless the user renamed a
 * class (names that are no task's defaults), which are kept.
 */
export function classNamesForTask(current: readonly [string, string], task: ModelCard['task']): readonly [string, string] {
  const defaults = Object.values(TASK_CLASS_NAMES);
  const untouched = defaults.some(([a, b]) => a === current[0] && b === current[1]);
  return untouched ? TASK_CLASS_NAMES[task] : current;
}
