import { useEffect } from 'react';
import { useStudio } from '../../state/store';

/**
 * Asks before the tab closes or reloads while painted labels exist only in memory: not exported, and not
 * in the stored session (storage refused or full, a read-only second tab, or a save still waiting).
 */
export function useUnsavedGuard(): void {
  const painted = useStudio((s) => Object.values(s.labelStats).some((st) => st.edited && st.background + st.foreground > 0));
  const stored = useStudio((s) => s.persistStatus === 'saved');
  const unsaved = painted && !stored;
  useEffect(() => {
    if (!unsaved) return;
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [unsaved]);
}
