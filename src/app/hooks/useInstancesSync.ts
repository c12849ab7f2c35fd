import { useEffect } from 'react';
import { currentInstancesKey } from '../../state/predictions';
import { useStudio } from '../../state/store';

/**
 * Keeps the shown image's objects current: when the image, the model, a prediction or the instance
 * parameters change, the image worker recomputes them (debounced, so a moving slider costs one run).
 */
export function useInstancesSync(): void {
  const id = useStudio((s) => s.selectedId);
  const key = useStudio((s) => (s.selectedId ? currentInstancesKey(s, s.selectedId) : null));
  const version = useStudio((s) => s.predictionVersion);
  const schedule = useStudio((s) => s.scheduleInstances);
  useEffect(() => {
    if (id && key) schedule(id);
  }, [id, key, version, schedule]);
}
