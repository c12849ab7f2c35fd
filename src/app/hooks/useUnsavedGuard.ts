import { useEffect } from 'react';
import { useStudio } from '../../state/store';

/** Asks before the tab closes or reloads while painted labels have not been exported (they live only in memory). */
export function useUnsavedGuard(): void {
  const unsaved = useStudio((s) => Object.values(s.labelStats).some((st) => st.edited && st.background + st.foreground > 0));
  useEffect(() => {
    if (!unsaved) return;
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [unsaved]);
}
