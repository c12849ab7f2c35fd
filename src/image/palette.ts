/**
 * Deterministic instance colours: hue advances by the golden angle (~137.5°) per id, so neighbouring
 * ids (often neighbouring objects, since labels are numbered in scan order) get very different hues,
 * and lightness cycles over three levels so ids whose hues come close again still differ.
 * The app's overlay and the exported preview use the same function, so colours match.
 */

const GOLDEN_ANGLE = 180 * (3 - Math.sqrt(5)); // 137.507...°
const LIGHTNESS = [0.55, 0.7, 0.45] as const;

/** RGB (0..255 each) of instance `id` (id >= 1); id 0 (background) is black. */
export function instanceColor(id: number): [number, number, number] {
  if (id <= 0) return [0, 0, 0];
  const hue = ((id - 1) * GOLDEN_ANGLE) % 360;
  return hslToRgb(hue, 0.85, LIGHTNESS[(id - 1) % LIGHTNESS.length]);
}

/**
 * Packed colour table for ids 0..count: RGB triplets, entry 0 black. Build once per label image and
 * index with `3 * id` in per-pixel loops instead of calling {@link instanceColor}.
 */
export function instanceColorTable(count: number): Uint8Array {
  const table = new Uint8Array(3 * (count + 1));
  for (let id = 1; id <= count; id++) table.set(instanceColor(id), 3 * id);
  return table;
}

/** HSL (hue in degrees, s and l in 0..1) to 8-bit RGB. */
export function hslToRgb(hue: number, s: number, l: number): [number, number, number] {
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const h = (((hue % 360) + 360) % 360) / 60;
  const x = c * (1 - Math.abs((h % 2) - 1));
  const [r, g, b] = h < 1 ? [c, x, 0] : h < 2 ? [x, c, 0] : h < 3 ? [0, c, x] : h < 4 ? [0, x, c] : h < 5 ? [x, 0, c] : [c, 0, x];
  const m = l - c / 2;
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}
