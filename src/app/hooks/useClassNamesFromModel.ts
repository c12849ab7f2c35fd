import { useEffect } from 'react';
import { classNamesForTask } from '../../state/classNames';
import { useStudio } from '../../state/store';

/** Names the painted classes after the selected model's task (cell / membrane for EM), keeping names the user gave. */
export function useClassNamesFromModel(): void {
  const task = useStudio((s) => s.model?.card.task ?? null);
  useEffect(() => {
    if (!task) return;
    const { classes, setClass } = useStudio.getState();
    const [bg, fg] = classNamesForTask([classes[0].name, classes[1].name], task);
    if (bg !== classes[0].name) setClass(1, { name: bg });
    if (fg !== classes[1].name) setClass(2, { name: fg });
  }, [task]);
}
