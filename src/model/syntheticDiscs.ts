import type { TrainingSample } from './train';

/**
 * A size x size training image of bright discs (radius ~12 px every 40 px) on a dark background with a
 * faint texture, labelled 2 inside and 1 outside, so that timing a training step exercises the same tiles,
 * weight maps and loss as real nuclei data. Every training-speed benchmark (bench/ in Node, and the app's
 * worker) uses this one image, so their steps do the same work.
 */
export function syntheticSample(size: number): TrainingSample {
  const data = new Float32Array(size * size);
  const labels = new Uint8Array(size * size).fill(1);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inside = ((x % 40) - 20) ** 2 + ((y % 40) - 20) ** 2 < 150;
      data[y * size + x] = (inside ? 0.8 : 0.2) + 0.05 * Math.sin(x * 12.9898 + y * 78.233);
      if (inside) labels[y * size + x] = 2;
    }
  }
  return { image: { width: size, height: size, data }, labels };
}
