import { deflateSync, inflateSync } from 'fflate';

/*
 * Painted labels are mostly 0 (unlabelled) with long runs of 1 and 2: deflate at level 1 shrinks a
 * 512x512 plane with a few strokes from 256 KiB to about 1 KiB in a millisecond or two. The decoder
 * checks the length, so a damaged record is refused rather than shown shifted.
 */

export function packLabels(data: Uint8Array): Uint8Array {
  return deflateSync(data, { level: 1 });
}

export function unpackLabels(packed: Uint8Array, width: number, height: number): Uint8Array {
  const data = inflateSync(packed, { out: new Uint8Array(width * height) });
  if (data.length !== width * height) throw new RangeError(`stored labels hold ${data.length} pixels for a ${width}x${height} image`);
  for (let i = 0; i < data.length; i++) {
    if (data[i] > 2) throw new RangeError(`stored labels hold the value ${data[i]} at pixel ${i} (0, 1 or 2 expected)`);
  }
  return data;
}
