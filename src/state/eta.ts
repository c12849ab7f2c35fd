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
  /** Speed of an earlier segmentation (ms per pixel, see SpeedMemory), used until this run has measured one. */
  readonly priorMsPerPixel?: number | null;
}

/**
 * Milliseconds left, or null when nothing is known yet. Time scales with pixels because tiles do. Once a
 * tile of the current image is done, the run's own throughput is extrapolated. Before that (always, for
 * images of a single tile) the current image is expected to take its pixels at the speed of the finished
 * images, or of an earlier run, less the time it has already run.
 */
export function estimateRemainingMs(p: EtaInput): number | null {
  if (p.currentFraction > 0) {
    const rate = (p.doneMs + p.currentMs) / (p.donePixels + p.currentPixels * p.currentFraction);
    return rate * Math.max(0, p.currentPixels * (1 - p.currentFraction) + p.pendingPixels);
  }
  const rate = p.donePixels > 0 && p.doneMs > 0 ? p.doneMs / p.donePixels : (p.priorMsPerPixel ?? null);
  if (rate === null || !(rate > 0)) return null;
  return Math.max(0, rate * p.currentPixels - p.currentMs) + rate * p.pendingPixels;
}

/**
 * Speeds of past segmentations, so that a run's ETA is there from its first image: the same model's ms per
 * pixel, else another model's speed scaled by the two models' FLOPs per pixel (from their cards).
 */
export interface SpeedMemory {
  record(modelId: string, ms: number, pixels: number, flopsPerPixel: number | null): void;
  msPerPixel(modelId: string, flopsPerPixel: number | null): number | null;
}

export function createSpeedMemory(): SpeedMemory {
  const perModel = new Map<string, number>();
  let msPerFlop: number | null = null;
  return {
    record(modelId, ms, pixels, flopsPerPixel) {
      if (!(ms > 0 && pixels > 0)) return;
      perModel.set(modelId, ms / pixels);
      if (flopsPerPixel && flopsPerPixel > 0) msPerFlop = ms / (pixels * flopsPerPixel);
    },
    msPerPixel(modelId, flopsPerPixel) {
      const own = perModel.get(modelId);
      if (own !== undefined) return own;
      return msPerFlop !== null && flopsPerPixel && flopsPerPixel > 0 ? msPerFlop * flopsPerPixel : null;
    },
  };
}

/** "3 s", "1 min 20 s", "2 h 5 min". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
