/**
 * Saved probability maps (segment --prob-float / --prob) read back, so evaluate can score
 * post-processing on cached maps without running the model again.
 */
import { existsSync } from 'node:fs';
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
