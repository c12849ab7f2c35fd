import { renderToRgba, type DisplaySettings } from '../../image/display';
import type { LabelCanvas, Rect } from '../../image/labels';
import type { RasterImage } from '../../image/types';
import { layerMips } from './mips';

/**
 * Image-resolution layers the viewer composites: each is drawn once and then only scaled by drawImage
 * (GPU), so panning and zooming never touch pixels. Painting updates only the dirty rectangle of the
 * label layer. The overlays are ImageBitmaps the image worker draws (src/state/overlays.ts).
 */

export type Layer = OffscreenCanvas;
export type Overlay = ImageBitmap;

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
  layerMips.invalidate(layer, rect);
}
