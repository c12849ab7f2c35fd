import { useEffect } from 'react';
import { useStudio } from '../../state/store';

/** Restores the stored session once the app starts and keeps saving it (src/state/persistSlice.ts). */
export function usePersistence(): void {
  const start = useStudio((s) => s.startPersistence);
  useEffect(() => {
    void start();
  }, [start]);
}
