/**
 * Saved probability maps (segment --prob-float / --prob) read back, so evaluate can score
 * post-processing on cached maps without running the model again.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readRaster } from './dataset';

/** NAME_prob.tif (32-bit float, exact) or NAME_prob.png (8-bit, p × 255) in `dir`. */
export function probabilityFileFor(stem: string, dir: string): string {
  for (const name of [`${stem}_prob.tif`, `${stem}_prob.tiff`, `${stem}_prob.png`]) {
    const file = path.join(dir, name);
    if (existsSync(file)) return file;
  }
  throw new Error(`no probability map for '${stem}' in '${dir}' (expected ${stem}_prob.tif from segment --prob-float, or ${stem}_prob.png)`);
}

/** The map as probabilities in [0, 1]: float TIFFs as stored, 8/16-bit images scaled by their maximum code. */
export function readProbabilityMap(file: string, width: number, height: number): Float32Array {
  const raster = readRaster(file);
  if (raster.width !== width || raster.height !== height || raster.channels !== 1) {
    throw new Error(`${path.basename(file)} is ${raster.width}x${raster.height}x${raster.channels} but the image is ${width}x${height}x1`);
  }
  if (raster.data instanceof Float32Array) return raster.data;
  const scale = raster.bitDepth === 16 ? 65535 : 255;
  return Float32Array.from(raster.data, (v) => v / scale);
}

/** NAME_scale.json: the object scale a saved map was made at (written by segment when it is not 1). */
export function scaleFileName(stem: string): string {
  return `${stem}_scale.json`;
}

/** The sidecar's JSON for a segmentation. */
export function scaleRecord(s: { readonly scale: number; readonly fusedScale?: number; readonly diameter?: number; readonly source: string }): string {
  return `${JSON.stringify({ scale: s.scale, ...(s.fusedScale !== undefined ? { fusedScale: s.fusedScale } : {}), ...(s.diameter !== undefined ? { diameter: s.diameter } : {}), source: s.source })}\n`;
}

/**
 * The object scale of the map of `stem` in `dir`: its NAME_scale.json, or 1 when there is none (a map made
 * without rescaling, or by an older version).
 * @throws Error naming the file when it exists but holds no positive scale.
 */
export function readMapScale(stem: string, dir: string): number {
  const file = path.join(dir, scaleFileName(stem));
  if (!existsSync(file)) return 1;
  let scale: unknown;
  try {
    scale = (JSON.parse(readFileSync(file, 'utf8')) as { scale?: unknown }).scale;
  } catch (e) {
    throw new Error(`${path.basename(file)}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof scale !== 'number' || !(scale > 0) || !Number.isFinite(scale)) throw new Error(`${path.basename(file)}: "scale" must be a positive number, got ${String(scale)}`);
  return scale;
}
