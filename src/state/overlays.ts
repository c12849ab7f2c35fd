import { getImageWorker } from './imageWorker';
import { nextTask } from './nextTask';

/**
 * The viewer's overlay bitmaps, drawn by the image worker (src/image/overlayRgba.ts) from copies of the
 * buffers: the store keeps the originals, the copies are transferred. Colouring a 2048x2048 map on the
 * main thread was a ~400 ms task; even the copy is ~50 ms there, so it is made in slices between tasks.
 */

/** Elements copied per task: 1 M (4 MB) is a few ms of memcpy. */
const SLICE = 1 << 20;

async function copyInSlices<T extends Float32Array | Uint32Array>(source: T, make: (length: number) => T): Promise<T> {
  // Not even the allocation or the first slice in the caller's task: that is React committing a result.
  await nextTask();
  const copy = make(source.length);
  for (let start = 0; start < source.length; start += SLICE) {
    if (start > 0) await nextTask();
    copy.set(source.subarray(start, start + SLICE), start);
  }
  return copy;
}

export async function probabilityOverlay(probability: Float32Array, width: number, height: number): Promise<ImageBitmap> {
  const copy = await copyInSlices(probability, (n) => new Float32Array(n));
  const { bitmaps } = await getImageWorker().call('overlay', { kind: 'probability', probability: copy, width, height }, [copy.buffer]);
  return bitmaps[0];
}

export async function instancesOverlay(labels: Uint32Array, count: number, width: number, height: number): Promise<{ fill: ImageBitmap; outline: ImageBitmap }> {
  const copy = await copyInSlices(labels, (n) => new Uint32Array(n));
  const { bitmaps } = await getImageWorker().call('overlay', { kind: 'instances', labels: copy, count, width, height }, [copy.buffer]);
  return { fill: bitmaps[0], outline: bitmaps[1] };
}
