import { createHash } from 'node:crypto';
import { strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './sha256';

describe('sha256Hex', () => {
  it('gives the FIPS 180-2 test vectors', async () => {
    expect(await sha256Hex(strToU8('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it("agrees with Node's hash module on a view into a larger buffer", async () => {
    const big = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 7919) & 0xff);
    const view = big.subarray(17, 99_017);
    expect(await sha256Hex(view)).toBe(createHash('sha256').update(view).digest('hex'));
  });
});
