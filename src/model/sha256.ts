/*
 * SHA-256 through the Web Crypto API (crypto.subtle), present in browsers, workers (secure contexts:
 * https or localhost, which the app needs anyway for WebGPU) and Node 20. src/model compiles without
 * the DOM library, so the one method used is typed here.
 */

interface SubtleDigest {
  digest(algorithm: 'SHA-256', data: Uint8Array): Promise<ArrayBuffer>;
}

function subtle(): SubtleDigest {
  const s = (globalThis as { crypto?: { subtle?: SubtleDigest } }).crypto?.subtle;
  if (!s) throw new Error('sha256: Web Crypto (crypto.subtle) is not available here (it needs a secure context)');
  return s;
}

/** SHA-256 of the bytes as 64 lowercase hex digits. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await subtle().digest('SHA-256', bytes));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}
