/** Memory sizes as the UI shows them: GiB from 1 GiB up, whole MiB below. */
export function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${Math.round(bytes / 2 ** 20)} MiB`;
}

/** Stored sizes: KiB below 1 MiB, MiB with one decimal below 1 GiB. */
export function formatStorage(bytes: number): string {
  if (bytes < 2 ** 20) return `${Math.max(0, Math.round(bytes / 1024))} KiB`;
  if (bytes < 2 ** 30) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}
