import { useEffect, useState } from 'react';

/**
 * A remaining time that counts down by the second between updates. A run of single-tile images gets a new
 * estimate only when an image finishes; without this the ETA would stand still for the whole image.
 */
export function useCountdown(ms: number | null): number | null {
  const [shown, setShown] = useState<{ readonly from: number | null; readonly left: number | null }>({ from: ms, left: ms });
  useEffect(() => {
    if (ms === null) return;
    const start = performance.now();
    const timer = setInterval(() => setShown({ from: ms, left: Math.max(0, ms - (performance.now() - start)) }), 1000);
    return () => clearInterval(timer);
  }, [ms]);
  // A new estimate replaces the count at once (the interval above restarts from it).
  return shown.from === ms ? shown.left : ms;
}
