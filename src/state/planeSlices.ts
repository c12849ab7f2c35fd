import { toSingleChannel, type ChannelChoice } from '../image/normalize';
import type { FloatPlane, RasterImage } from '../image/types';
import { nextTask } from './nextTask';

/** Pixels converted per task: 1 M is a few ms of native converting copy. */
const SLICE = 1 << 20;

/**
 * toSingleChannel for the main thread: a one-channel image (the common case; the 2048x2048 one is a 20 ms
 * converting copy under load, in the click that starts Segment) is converted in slices, one task each.
 * Several channels go through toSingleChannel in one piece.
 */
export async function singleChannelInSlices(image: RasterImage, choice: ChannelChoice, slice = SLICE): Promise<FloatPlane> {
  if (image.channels !== 1) return toSingleChannel(image, choice);
  const { width, height, data } = image;
  const n = width * height;
  await nextTask();
  const out = new Float32Array(n);
  for (let start = 0; start < n; start += slice) {
    if (start > 0) await nextTask();
    out.set(data.subarray(start, Math.min(n, start + slice)), start);
  }
  return { width, height, data: out };
}
