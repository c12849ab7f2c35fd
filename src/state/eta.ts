/** Progress of a multi-image segmentation, as the ETA estimate needs it. */
export interface EtaInput {
  /** Pixels of images already finished in this run, and the milliseconds they took. */
  readonly donePixels: number;
  readonly doneMs: number;
  /** The image in progress: its pixels, the fraction of its tiles done, and ms spent on it so far. */
  readonly currentPixels: number;
  readonly currentFraction: number;
  readonly currentMs: number;
  /** Pixels of the images still waiting. */
  readonly pendingPixels: number;
}

/**
 * Milliseconds left, from the throughput seen so far in this run (ms per pixel), or null before
 * anything has been measured. Time scales with pixels because tiles do.
 */
export function estimateRemainingMs(p: EtaInput): number | null {
  const measuredPixels = p.donePixels + p.currentPixels * p.currentFraction;
  const measuredMs = p.doneMs + p.currentMs;
  if (measuredPixels <= 0 || measuredMs <= 0) return null;
  const remaining = p.currentPixels * (1 - p.currentFraction) + p.pendingPixels;
  return (measuredMs / measuredPixels) * Math.max(0, remaining);
}

/** "3 s", "1 min 20 s", "2 h 5 min". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
