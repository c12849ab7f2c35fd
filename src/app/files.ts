import type { FileSource } from '../state/imagesSlice';

/** Names the app can open; inside dropped or picked folders, other files are skipped quietly. */
export const IMAGE_NAME = /\.(png|tiff?|jpe?g|gif|bmp|webp)$/i;

const byPath = (a: FileSource, b: FileSource) => a.path.localeCompare(b.path, undefined, { numeric: true });

/** Files from an <input type="file">; a folder pick keeps only image names, in natural order. */
export function sourcesFromFileList(list: FileList, folder: boolean): { sources: FileSource[]; skipped: number } {
  const all = [...list].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
  if (!folder) return { sources: all, skipped: 0 };
  const sources = all.filter((s) => IMAGE_NAME.test(s.path) && !s.path.split('/').pop()?.startsWith('.')).sort(byPath);
  return { sources, skipped: all.length - sources.length };
}

function readAll(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => {
    const out: FileSystemEntry[] = [];
    // readEntries returns at most ~100 entries per call: call until it returns none.
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(out);
        else {
          out.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function walk(dir: FileSystemDirectoryEntry, into: FileSource[], counts: { skipped: number }): Promise<void> {
  for (const entry of await readAll(dir.createReader())) {
    if (entry.isDirectory) await walk(entry as FileSystemDirectoryEntry, into, counts);
    else if (IMAGE_NAME.test(entry.name) && !entry.name.startsWith('.')) into.push({ file: await fileOf(entry as FileSystemFileEntry), path: entry.fullPath.replace(/^\//, '') });
    else counts.skipped++;
  }
}

/**
 * Files and folders of a drop. Entries must be taken from the DataTransfer during the drop event
 * (it is emptied afterwards), so this reads them synchronously and walks folders afterwards.
 */
export function sourcesFromDrop(dt: DataTransfer): Promise<{ sources: FileSource[]; skipped: number }> {
  const files: FileSource[] = [];
  const dirs: FileSystemDirectoryEntry[] = [];
  for (const item of [...dt.items]) {
    if (item.kind !== 'file') continue;
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry?.isDirectory) {
      dirs.push(entry as FileSystemDirectoryEntry);
      continue;
    }
    const file = item.getAsFile();
    if (file) files.push({ file, path: file.name });
  }
  if (files.length === 0 && dirs.length === 0) for (const file of [...dt.files]) files.push({ file, path: file.name });
  return (async () => {
    const counts = { skipped: 0 };
    for (const dir of dirs) {
      const found: FileSource[] = [];
      await walk(dir, found, counts);
      files.push(...found.sort(byPath));
    }
    return { sources: files, skipped: counts.skipped };
  })();
}

/** Saves bytes as a file through an <a download> link to a blob URL. */
export function downloadBytes(name: string, bytes: Uint8Array, type = 'application/octet-stream'): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
