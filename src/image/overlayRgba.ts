import { instanceColorTable } from './palette';

/**
 * RGBA pixels of the viewer's overlays (the probability map, the instances and their outlines). Pure
 * loops without the DOM, so the image worker can run them: on a 2048x2048 result they took ~400 ms of the
 * main thread. The worker turns them into ImageBitmaps the viewer only scales.
 */

/** Colour map of the probability overlay: violet (0) to warm orange (1), opacity rising with p. */
const PROB_LUT = (() => {
  const lut = new Uint8ClampedArray(256 * 4);
  const lo = [109, 40, 217];
  const hi = [251, 146, 60];
  for (let v = 0; v < 256; v++) {
    const t = v / 255;
    for (let c = 0; c < 3; c++) lut[v * 4 + c] = lo[c] + (hi[c] - lo[c]) * t;
    lut[v * 4 + 3] = Math.round(255 * Math.min(1, t * 1.4));
  }
  return lut;
})();

/** The probability map in the overlay's colours (NaN, a tile not yet done, is transparent). */
export function probabilityRgba(probability: Float32Array): Uint8ClampedArray<ArrayBuffer> {
  const rgba = new Uint8ClampedArray(probability.length * 4);
  for (let i = 0; i < probability.length; i++) {
    const p = probability[i];
    const v = p > 0 ? (p >= 1 ? 255 : Math.round(p * 255)) : 0;
    const o = i * 4;
    rgba[o] = PROB_LUT[v * 4];
    rgba[o + 1] = PROB_LUT[v * 4 + 1];
    rgba[o + 2] = PROB_LUT[v * 4 + 2];
    rgba[o + 3] = PROB_LUT[v * 4 + 3];
  }
  return rgba;
}

/** Mask outline colour: cyan, apart from the warm probability map and the orange foreground class. */
export const OUTLINE_RGB = [34, 229, 255] as const;

/**
 * Instances filled in their palette colours, and their outlines: object pixels with a 4-neighbour of
 * another id inside the image (the image border is not drawn as a contour, it would frame the image).
 */
export function instancesRgba(
  labels: Uint32Array,
  count: number,
  width: number,
  height: number,
): { fill: Uint8ClampedArray<ArrayBuffer>; outline: Uint8ClampedArray<ArrayBuffer> } {
  const colours = instanceColorTable(count);
  const fill = new Uint8ClampedArray(width * height * 4);
  const outline = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const id = labels[i];
      if (id === 0) continue;
      const o = i * 4;
      fill[o] = colours[id * 3];
      fill[o + 1] = colours[id * 3 + 1];
      fill[o + 2] = colours[id * 3 + 2];
      fill[o + 3] = 255;
      const edge =
        (x > 0 && labels[i - 1] !== id) ||
        (x < width - 1 && labels[i + 1] !== id) ||
        (y > 0 && labels[i - width] !== id) ||
        (y < height - 1 && labels[i + width] !== id);
      if (edge) {
        outline[o] = OUTLINE_RGB[0];
        outline[o + 1] = OUTLINE_RGB[1];
        outline[o + 2] = OUTLINE_RGB[2];
        outline[o + 3] = 255;
      }
    }
  }
  return { fill, outline };
}
