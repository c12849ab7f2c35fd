import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ModelImportError } from './importErrors';
import { DEFAULT_IMPORT_LIMITS, looksLikeZip, readZipEntries } from './zipEntries';

/** Offset of the central-directory record of the first entry ('PK\x01\x02'). */
function centralRecord(zip: Uint8Array): number {
  for (let i = zip.length - 22; i >= 0; i--) {
    if (zip[i] === 0x50 && zip[i + 1] === 0x4b && zip[i + 2] === 1 && zip[i + 3] === 2) return i;
  }
  throw new Error('no central directory');
}

/** The archive with the first entry's central-directory field at `offset` overwritten (little-endian). */
function patched(zip: Uint8Array, offset: number, value: number, bytes: 2 | 4): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  const at = centralRecord(out) + offset;
  if (bytes === 2) view.setUint16(at, value, true);
  else view.setUint32(at, value, true);
  return out;
}

const UNCOMPRESSED_SIZE = 24;
const METHOD = 10;

function problem(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ModelImportError) return `${error.problem}: ${error.message}`;
    throw error;
  }
  return 'accepted';
}

describe('readZipEntries', () => {
  const text = new Uint8Array(5000).fill(65);
  const zip = zipSync({ 'a.txt': [text, { level: 9 }] });

  it('reads a well-formed archive', () => {
    expect(looksLikeZip(zip)).toBe(true);
    expect(readZipEntries(zip).get('a.txt')).toEqual(text);
  });

  it('never inflates beyond the declared size, and refuses an entry that comes out shorter', () => {
    // Declared smaller than the real content: the output buffer is the declared size, no more.
    const small = readZipEntries(patched(zip, UNCOMPRESSED_SIZE, 100, 4));
    expect(small.get('a.txt')?.length).toBe(100);
    // Declared larger: the data ends early, which marks the archive as damaged.
    expect(problem(() => readZipEntries(patched(zip, UNCOMPRESSED_SIZE, 6000, 4)))).toMatch(
      /^not-a-zip: the ZIP is damaged: "a\.txt" unpacks to 5000 bytes, its header says 6000/,
    );
  });

  it('checks the declared size against the limit before inflating anything', () => {
    const huge = patched(zip, UNCOMPRESSED_SIZE, 0xfffffff0, 4);
    expect(problem(() => readZipEntries(huge))).toMatch(/^too-large: the ZIP: "a\.txt" is 4\.00 GiB uncompressed; the limit is 256\.0 MiB/);
    expect(DEFAULT_IMPORT_LIMITS.maxEntryBytes).toBe(256 * 1024 * 1024);
  });

  it('refuses compression methods other than stored and deflate, by name', () => {
    expect(problem(() => readZipEntries(patched(zip, METHOD, 14, 2)))).toMatch(/^not-a-zip: .*"a\.txt" uses compression method 14/);
  });

  it('treats an empty archive as empty', () => {
    expect(readZipEntries(zipSync({})).size).toBe(0);
  });
});
