/**
 * Safety checks for the names of files that arrive inside a ZIP or as a dropped folder. A name is only
 * ever used as a key to look files up (nothing is written to disk), but a name that climbs out of its
 * folder (`../x`), starts at a root (`/etc/x`, `C:\x`) or hides a separator (`a\..\b`) is the mark of a
 * crafted archive, so such an archive is refused as a whole rather than quietly skipped.
 */

/** Longest accepted name, in characters (ZIP allows 65535; real model files have short names). */
export const MAX_ENTRY_NAME_LENGTH = 1024;

/**
 * Why `name` is not a safe relative path with '/' separators, or null when it is. Directory entries
 * (a trailing '/') are fine: the trailing slash is ignored here.
 */
export function entryNameProblem(name: string): string | null {
  if (name.length === 0) return 'the name is empty';
  if (name.length > MAX_ENTRY_NAME_LENGTH) return `the name is longer than ${MAX_ENTRY_NAME_LENGTH} characters`;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'the name contains control characters';
  if (name.includes('\\')) return 'the name contains a backslash (a Windows path separator)';
  if (name.startsWith('/')) return 'the name is an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'the name starts with a drive letter';
  const segments = (name.endsWith('/') ? name.slice(0, -1) : name).split('/');
  for (const segment of segments) {
    if (segment === '..') return "the name climbs out of its folder ('..')";
    if (segment === '.') return "the name contains a '.' segment";
    if (segment === '') return "the name contains an empty segment ('//')";
  }
  return null;
}

/** True for directory entries (a trailing '/'), which carry no data. */
export function isDirectoryEntry(name: string): boolean {
  return name.endsWith('/');
}

/** The last segment of a '/'-separated name. */
export function baseName(name: string): string {
  const i = name.lastIndexOf('/');
  return i < 0 ? name : name.slice(i + 1);
}

/** The folder part of a '/'-separated name including the trailing '/', or '' at the root. */
export function folderOf(name: string): string {
  const i = name.lastIndexOf('/');
  return i < 0 ? '' : name.slice(0, i + 1);
}

/**
 * Operating-system clutter that archivers add (macOS resource forks, Finder and Explorer metadata). Such
 * entries are still name-checked but otherwise ignored, so a ZIP made by "Compress" in the Finder works.
 */
export function isClutterEntry(name: string): boolean {
  const base = baseName(name);
  return name.startsWith('__MACOSX/') || base === '.DS_Store' || base === 'Thumbs.db' || base === 'desktop.ini';
}
