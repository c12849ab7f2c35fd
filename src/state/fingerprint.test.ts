import { describe, expect, it } from 'vitest';
import { fileFingerprint } from './fingerprint';

describe('file fingerprint', () => {
  const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 31) & 255);

  it('is the same for the same name and bytes (a second copy of the buffer)', async () => {
    expect(await fileFingerprint('cells.tif', bytes)).toBe(await fileFingerprint('cells.tif', bytes.slice()));
  });

  it('differs when one byte, the name or the length differs', async () => {
    const a = await fileFingerprint('cells.tif', bytes);
    const changed = bytes.slice();
    changed[2048] ^= 1;
    expect(await fileFingerprint('cells.tif', changed)).not.toBe(a);
    expect(await fileFingerprint('cells2.tif', bytes)).not.toBe(a);
    expect(await fileFingerprint('cells.tif', bytes.subarray(0, 4095))).not.toBe(a);
  });
});
