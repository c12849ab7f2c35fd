/**
 * Identity of a dropped file: name, size and a hash of its bytes, so the same file dropped twice is
 * recognised while two different files that share a name (or a size) are not.
 */
export async function fileFingerprint(name: string, bytes: Uint8Array): Promise<string> {
  return `${name}\u0000${bytes.byteLength}\u0000${await contentHash(bytes)}`;
}

/** SHA-256 where the page is a secure context (localhost, https); FNV-1a elsewhere, where crypto.subtle is absent. */
async function contentHash(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle) {
    const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
    return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  }
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return `fnv1a-${(h >>> 0).toString(16)}`;
}
