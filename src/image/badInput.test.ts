import { describe, expect, it } from 'vitest';
import { decodeImage, isImageDecodeError } from './decode';
import { autoRange, renderToRgba } from './display';
import { exportBaseName } from './export';
import { badImageCases } from './fixtures/badImages';
import { MAX_PIXELS } from './limits';
import { defaultNormalization, normalizePlane, toSingleChannel } from './normalize';

/* Issue 12's hostile images, decoded in Node: each is refused with its own message or loads as it should. */

describe('hostile image files', () => {
  const cases = badImageCases();

  it('has at least the 18 image cases of the corpus', () => {
    expect(cases.length).toBeGreaterThanOrEqual(18);
  });

  for (const c of cases) {
    it(`${c.name}: ${c.outcome.kind === 'refused' ? `refused with ${String(c.outcome.message)}` : 'loads'}`, () => {
      if (c.outcome.kind === 'refused') {
        let error: unknown = null;
        try {
          decodeImage(c.bytes, c.name);
        } catch (e) {
          error = e;
        }
        expect(isImageDecodeError(error)).toBe(true);
        expect((error as Error).message.startsWith(`${c.name}: `)).toBe(true);
        expect((error as Error).message).toMatch(c.outcome.message);
        return;
      }
      const { pages } = decodeImage(c.bytes, c.name);
      expect(pages).toHaveLength(c.outcome.pages);
      for (const page of pages) {
        expect([page.width, page.height, page.channels]).toEqual([c.outcome.width, c.outcome.height, c.outcome.channels]);
        expect(page.data.length).toBe(page.width * page.height * page.channels);
      }
    });
  }

  it('refuses a huge header before allocating: the error comes from the header alone', () => {
    const huge = cases.find((c) => c.name === 'huge-header.png')!;
    // The file is a valid 2x2 PNG but for IHDR, so a decoder that read on would fail on CRC or data, not the size.
    expect(() => decodeImage(huge.bytes, huge.name)).toThrow(/the limit is/);
    expect(MAX_PIXELS).toBe(16384 * 16384);
  });

  it('a float image with NaN and Inf displays and normalises to finite values', () => {
    const nan = cases.find((c) => c.name === 'nan-inf.tif')!;
    const [page] = decodeImage(nan.bytes, nan.name).pages;
    expect(Number.isNaN(page.data[3])).toBe(true);
    const range = autoRange(page, 0);
    expect(Number.isFinite(range.min) && Number.isFinite(range.max) && range.max > range.min).toBe(true);
    const rgba = renderToRgba(page, { range, channel: 0 });
    expect(rgba.every((v) => Number.isInteger(v))).toBe(true);
    const input = normalizePlane(toSingleChannel(page), defaultNormalization);
    expect(input.data.every((v) => Number.isFinite(v))).toBe(true);
    // The finite ramp still spans the normalised range: the non-finite pixels did not flatten it.
    expect(Math.max(...input.data) - Math.min(...input.data)).toBeGreaterThan(0.9);
  });

  it('an all-zero 16-bit image gets a usable display range and a finite model input', () => {
    const zeros = cases.find((c) => c.name === 'zeros-16bit.png')!;
    const [page] = decodeImage(zeros.bytes, zeros.name).pages;
    const range = autoRange(page, 0);
    expect(range.max).toBeGreaterThan(range.min);
    const input = normalizePlane(toSingleChannel(page), defaultNormalization);
    expect(input.data.every((v) => v === 0)).toBe(true);
  });

  it('a file name with HTML characters becomes a safe export name', () => {
    const name = cases.find((c) => c.name.startsWith('<img'))!.name;
    const safe = exportBaseName(name);
    expect(safe).not.toMatch(/[<>:"|?*/\\]/);
    expect(safe).toBe('_img src=x onerror=_alert(1)__');
  });
});
