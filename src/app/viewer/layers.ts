import { renderToRgba, type DisplaySettings } from '../../image/display';
import type { LabelCanvas, Rect } from '../../image/labels';
import { instanceColorTable } from '../../image/palette';
import type { RasterImage } from '../../image/types';

/**
 * Image-resolution layers the viewer composites: each is an OffscreenCanvas drawn once and then only
 * scaled by drawImage (GPU), so panning and zooming never touch pixels. Painting updates only the
 * dirty rectangle of the label layer.
 */

export type Layer = OffscreenCanvas;

function layerOf(width: number, height: number, rgba: Uint8ClampedArray<ArrayBuffer>): Layer {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot create a 2D canvas');
  ctx.putImageData(new ImageData(rgba, width, height), 0, 0);
  return canvas;
}

/** The image with its display contrast. */
export function renderBase(raster: RasterImage, display: DisplaySettings): Layer {
  const rgba = new Uint8ClampedArray(raster.width * raster.height * 4);
  renderToRgba(raster, display, rgba);
  return layerOf(raster.width, raster.height, rgba);
}

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

export function renderProbability(probability: Float32Array, width: number, height: number): Layer {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < probability.length; i++) {
    const p = probability[i];
    const v = p > 0 ? (p >= 1 ? 255 : Math.round(p * 255)) : 0;
    const o = i * 4;
    rgba[o] = PROB_LUT[v * 4];
    rgba[o + 1] = PROB_LUT[v * 4 + 1];
    rgba[o + 2] = PROB_LUT[v * 4 + 2];
    rgba[o + 3] = PROB_LUT[v * 4 + 3];
  }
  return layerOf(width, height, rgba);
}

/**
 * Instances filled in their palette colours, and their outlines: object pixels with a 4-neighbour of
 * another id inside the image (the image border is not drawn as a contour, it would frame the image).
 */
/** Mask outline colour: cyan, apart from the warm probability map and the orange foreground class. */
const OUTLINE = [34, 229, 255] as const;

export function renderInstances(labels: Uint32Array, count: number, width: number, height: number): { fill: Layer; outline: Layer } {
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
        outline[o] = OUTLINE[0];
        outline[o + 1] = OUTLINE[1];
        outline[o + 2] = OUTLINE[2];
        outline[o + 3] = 255;
      }
    }
  }
  return { fill: layerOf(width, height, fill), outline: layerOf(width, height, outline) };
}

/** "#rrggbb" to [r, g, b]. */
export function parseHex(color: string): [number, number, number] {
  const m = /^#?([0-9a-f]{6})$/i.exec(color.trim());
  const n = m ? parseInt(m[1], 16) : 0xff00ff;
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** An empty (transparent) label layer. */
export function createLabelLayer(width: number, height: number): Layer {
  return new OffscreenCanvas(width, height);
}

/**
 * Redraws `rect` of the label layer from the label canvas: class colours, unlabelled transparent. Pixels
 * held out for validation (`heldOut` non-zero) are hatched: diagonal stripes of the class colour over a
 * faint fill, so the user sees which strokes only score the model. Cost is proportional to the rectangle,
 * which keeps a brush stroke on 4096x4096 at frame rate.
 */
export function drawLabelRect(layer: Layer, labels: LabelCanvas, rect: Rect, colours: readonly [string, string], heldOut: Uint8Array | null = null): void {
  if (rect.width <= 0 || rect.height <= 0) return;
  const ctx = layer.getContext('2d');
  if (!ctx) return;
  const bg = parseHex(colours[0]);
  const fg = parseHex(colours[1]);
  const image = new ImageData(rect.width, rect.height);
  const out = image.data;
  for (let r = 0; r < rect.height; r++) {
    const y = rect.y + r;
    const src = y * labels.width + rect.x;
    for (let c = 0; c < rect.width; c++) {
      const v = labels.data[src + c];
      if (v === 0) continue;
      const rgb = v === 1 ? bg : fg;
      const o = (r * rect.width + c) * 4;
      out[o] = rgb[0];
      out[o + 1] = rgb[1];
      out[o + 2] = rgb[2];
      out[o + 3] = heldOut && heldOut[src + c] !== 0 ? (((rect.x + c + y) & 3) < 2 ? 255 : 50) : 255;
    }
  }
  ctx.putImageData(image, rect.x, rect.y);
}
