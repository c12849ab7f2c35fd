/**
 * The largest image the app opens. Above it the decoded planes alone (raw, float display copy, model input,
 * probabilities) pass several GiB, which a browser tab does not get; refusing from the header, before a
 * single pixel buffer is allocated, turns a tab crash into a message.
 */
export const MAX_PIXELS = 16384 * 16384;

/** The refusal for an image of width x height pixels over {@link MAX_PIXELS}, with the limit stated. */
export function tooLargeMessage(what: string, width: number, height: number): string {
  const mp = (n: number): string => `${Math.round(n / 1e6).toLocaleString('en-US')} megapixels`;
  return `${what} is ${width}x${height} pixels (${mp(width * height)}); the limit is ${mp(MAX_PIXELS)} (16384x16384): crop or downsample it first`;
}
