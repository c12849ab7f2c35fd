/**
 * The typical object size of a labelled image, as one number: the diameter of a disc of the object's
 * area (equivalent diameter, √(4A/π)). Model cards record it for their training labels and new images
 * are rescaled so their objects match it (src/model/objectScale.ts), so both sides use this one
 * estimator.
 *
 * It is the *area-weighted* median: the diameter d such that half of all object pixels lie in objects
 * no larger than d. A first-pass segmentation of objects at the wrong scale leaves fragments (holes that
 * become extra objects, splinters at dim edges); counted per object they would drag a plain median down,
 * weighted by their few pixels they barely move it. Objects cut by the image border look smaller than
 * they are and are left out while at least `minInterior` objects remain *and* those hold at least half of
 * the object pixels: in a small crop of large nuclei the interior may hold only fragments, and the cut
 * nuclei are then the better evidence.
 */

/** Options of {@link medianObjectDiameter}. */
export interface DiameterOptions {
  /** Objects with fewer pixels are ignored (default 4: single pixels and specks carry no size). */
  readonly minArea?: number;
  /** Border-touching objects are ignored when at least this many others remain, holding half the pixels (default 3). */
  readonly minInterior?: number;
}

/** One object's pixel count and whether it touches the image border. */
export interface ObjectExtent {
  readonly area: number;
  readonly touchesBorder: boolean;
}

/** Area and border contact of every object id > 0 (a Map: ids need not be consecutive). */
export function objectExtents(labels: ArrayLike<number>, width: number, height: number): Map<number, ObjectExtent> {
  if (labels.length !== width * height) throw new RangeError(`labels have ${labels.length} values, expected ${width}x${height}`);
  const area = new Map<number, number>();
  const border = new Set<number>();
  for (let y = 0; y < height; y++) {
    const edgeRow = y === 0 || y === height - 1;
    for (let x = 0; x < width; x++) {
      const id = labels[y * width + x];
      if (id === 0) continue;
      area.set(id, (area.get(id) ?? 0) + 1);
      if (edgeRow || x === 0 || x === width - 1) border.add(id);
    }
  }
  const out = new Map<number, ObjectExtent>();
  for (const [id, a] of area) out.set(id, { area: a, touchesBorder: border.has(id) });
  return out;
}

/** Diameter of the disc whose area is `area` pixels. */
export function equivalentDiameter(area: number): number {
  return Math.sqrt((4 * area) / Math.PI);
}

/** Area-weighted median of equivalent diameters over a set of object areas; undefined when empty. */
export function weightedMedianDiameter(areas: readonly number[]): number | undefined {
  if (areas.length === 0) return undefined;
  const sorted = [...areas].sort((a, b) => a - b);
  const total = sorted.reduce((s, a) => s + a, 0);
  let seen = 0;
  for (const a of sorted) {
    seen += a;
    if (seen * 2 >= total) return equivalentDiameter(a);
  }
  return equivalentDiameter(sorted[sorted.length - 1]);
}

/**
 * The typical object diameter (px) of a label image (0 = background, other values = object ids), or
 * undefined when it holds no object of at least minArea pixels.
 */
export function medianObjectDiameter(
  labels: ArrayLike<number>,
  width: number,
  height: number,
  options: DiameterOptions = {},
): number | undefined {
  return weightedMedianDiameter(diameterAreas(labels, width, height, options));
}

/** The object areas that medianObjectDiameter weighs (for pooling several images into one median). */
export function diameterAreas(
  labels: ArrayLike<number>,
  width: number,
  height: number,
  options: DiameterOptions = {},
): number[] {
  const minArea = options.minArea ?? 4;
  const minInterior = options.minInterior ?? 3;
  const kept = [...objectExtents(labels, width, height).values()].filter((o) => o.area >= minArea);
  const interior = kept.filter((o) => !o.touchesBorder);
  const pixels = (objects: readonly ObjectExtent[]): number => objects.reduce((sum, o) => sum + o.area, 0);
  const useInterior = interior.length >= minInterior && 2 * pixels(interior) >= pixels(kept);
  return (useInterior ? interior : kept).map((o) => o.area);
}

/** Options of {@link scaleForDiameter}. */
export interface ScaleRule {
  /** No rescaling when the estimate is within this relative distance of the target (default 0.15). */
  readonly tolerance?: number;
  /**
   * The scale is clamped to [1/maxScale, maxScale] (default 2). Shrinking further loses the boundary detail
   * that mapping back needs: nuclei of ~50 px brought to 15 px gave 0.81 instead of 0.89 foreground IoU
   * (README, "Object scale").
   */
  readonly maxScale?: number;
}

/**
 * The factor that brings objects of diameter `estimate` to `target` (target / estimate), 1 when they
 * are already within the tolerance, clamped to the allowed range.
 */
export function scaleForDiameter(estimate: number, target: number, rule: ScaleRule = {}): number {
  if (!(estimate > 0) || !(target > 0)) throw new RangeError(`diameters must be positive, got ${estimate} and ${target}`);
  const tolerance = rule.tolerance ?? 0.15;
  const maxScale = rule.maxScale ?? 2;
  if (Math.abs(estimate - target) <= tolerance * target) return 1;
  return Math.min(maxScale, Math.max(1 / maxScale, target / estimate));
}
