import type { OverlayKind, OverlayState } from '../../state/viewerSlice';
import type { Box, View } from '../../state/viewMath';
import type { Layer, Overlay } from './layers';
import { frameBudget, layerMips, mipLevel, type MipCache } from './mips';

/** The layers of the shown image; overlays are null until there is something to show. */
export interface LayerSet {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  base: Layer | null;
  probability: Overlay | null;
  /** The probability map the probability layer was drawn from (skip redrawing the same one). */
  probabilityOf: Float32Array | null;
  instances: Overlay | null;
  outline: Overlay | null;
  /** The prediction key the instance layers were made from (to drop them when the model changes). */
  instancesFor: string | null;
  labels: Layer | null;
}

/** Bottom to top: the painted labels stay on top so the user sees what they paint. */
const ORDER: readonly OverlayKind[] = ['probability', 'instances', 'outline', 'labels'];

/**
 * Draws the view into the screen canvas. With `clip` (a viewport box), only that part is redrawn:
 * painting a stroke repaints the brush's footprint, not the whole screen. Returns true when a layer was
 * drawn from a finer mip level than it wants (its level is built next frame): redraw once more then.
 */
export function composite(
  ctx: CanvasRenderingContext2D,
  dpr: number,
  viewport: { width: number; height: number },
  layers: LayerSet | null,
  view: View,
  overlays: Record<OverlayKind, OverlayState>,
  clip: Box | null,
  mips: MipCache = layerMips,
): boolean {
  ctx.save();
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  if (clip) {
    ctx.beginPath();
    ctx.rect(clip.x, clip.y, clip.width, clip.height);
    ctx.clip();
    ctx.clearRect(clip.x, clip.y, clip.width, clip.height);
  } else {
    ctx.clearRect(0, 0, viewport.width, viewport.height);
  }
  const budget = frameBudget();
  if (layers?.base) {
    // Pixel-exact from 100 % up (nearest neighbour); smooth when shrinking, where nearest would alias:
    // from the mip level whose remaining scale is in (0.5, 1], bilinear ('low') is enough (mips.ts).
    ctx.imageSmoothingEnabled = view.zoom < 1;
    ctx.imageSmoothingQuality = 'low';
    const level = mipLevel(dpr * view.zoom, layers.width, layers.height);
    const draw = (layer: Layer | Overlay) => {
      const { image, scale } = mips.pick(layer, level, budget);
      const s = dpr * view.zoom * scale;
      ctx.setTransform(s, 0, 0, s, dpr * view.x, dpr * view.y);
      ctx.drawImage(image, 0, 0);
    };
    draw(layers.base);
    for (const kind of ORDER) {
      const layer = layers[kind];
      const o = overlays[kind];
      if (!layer || !o.visible || o.opacity <= 0) continue;
      ctx.globalAlpha = o.opacity;
      draw(layer);
    }
    ctx.globalAlpha = 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.strokeStyle = 'rgba(255,255,255,0.18)';
    ctx.lineWidth = 1;
    ctx.strokeRect(view.x - 0.5, view.y - 0.5, layers.width * view.zoom + 1, layers.height * view.zoom + 1);
  }
  ctx.restore();
  return budget.deferred;
}
