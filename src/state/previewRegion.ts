import { percentile, type NormalizationSpec } from '../image/normalize';
import type { FloatPlane } from '../image/types';
import type { Box } from './viewMath';

/**
 * The crop a live preview re-predicts: the visible region (`inner`) grown by the model's context margin,
 * its edges pushed out to the model's pooling grid (multiples of `grid` = 2^depth) and clipped to the
 * image. A valid U-Net's output depends on the phase of its pooling grid and on `margin` pixels of context
 * each side, so this crop predicts the visible region exactly as a segmentation of the whole image would.
 * Null when nothing of the image is visible.
 */
export function previewCrop(visible: Box, margin: number, grid: number, width: number, height: number): { crop: Box; inner: Box } | null {
  const x0 = Math.max(0, visible.x);
  const y0 = Math.max(0, visible.y);
  const x1 = Math.min(width, visible.x + visible.width);
  const y1 = Math.min(height, visible.y + visible.height);
  if (x1 <= x0 || y1 <= y0) return null;
  const down = (v: number) => Math.max(0, Math.floor((v - margin) / grid) * grid);
  const up = (v: number, limit: number) => Math.min(limit, Math.ceil((v + margin) / grid) * grid);
  const cx0 = down(x0);
  const cy0 = down(y0);
  const cx1 = up(x1, width);
  const cy1 = up(y1, height);
  return {
    crop: { x: cx0, y: cy0, width: cx1 - cx0, height: cy1 - cy0 },
    inner: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 },
  };
}

/** A rectangle of a plane, as a new plane. */
export function cropPlane(plane: FloatPlane, box: Box): FloatPlane {
  const data = new Float32Array(box.width * box.height);
  for (let r = 0; r < box.height; r++) {
    const from = (box.y + r) * plane.width + box.x;
    data.set(plane.data.subarray(from, from + box.width), r * box.width);
  }
  return { width: box.width, height: box.height, data };
}

/** The normalisation of the whole plane as a fixed range, so that a crop of it is normalised the same way. */
export function normalizationRange(plane: FloatPlane, spec: NormalizationSpec): { min: number; max: number } {
  if (spec.mode === 'fixed') return { min: spec.min, max: spec.max };
  return { min: percentile(plane.data, spec.low), max: percentile(plane.data, spec.high) };
}
