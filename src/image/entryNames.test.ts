import { describe, expect, it } from 'vitest';
import { baseName, entryNameProblem, folderOf, isClutterEntry, isDirectoryEntry } from './entryNames';

describe('entryNameProblem', () => {
  it('accepts plain relative names and folders', () => {
    for (const name of ['model.json', 'nuclei/model.json', 'a/b/group1-shard1of1.bin', 'folder/', 'my model (2).zip', 'x..y']) {
      expect(entryNameProblem(name), name).toBeNull();
    }
  });

  it.each([
    ['../x', '..'],
    ['a/../../b', '..'],
    ['a/..', '..'],
    ['/etc/passwd', 'absolute'],
    ['C:/Windows/x', 'drive letter'],
    ['c:x', 'drive letter'],
    ['a\\..\\b', 'backslash'],
    ['\\\\server\\share', 'backslash'],
    ['a/./b', "'.'"],
    ['a//b', 'empty segment'],
    ['', 'empty'],
    ['bad\u0000name', 'control'],
    ['line\nbreak', 'control'],
  ])('refuses %j (%s)', (name, why) => {
    expect(entryNameProblem(name)).toContain(why);
  });

  it('refuses absurdly long names', () => {
    expect(entryNameProblem('a'.repeat(2000))).toContain('longer');
  });
});

describe('name helpers', () => {
  it('split names into folder and base', () => {
    expect(baseName('a/b/model.json')).toBe('model.json');
    expect(baseName('model.json')).toBe('model.json');
    expect(folderOf('a/b/model.json')).toBe('a/b/');
    expect(folderOf('model.json')).toBe('');
    expect(isDirectoryEntry('a/')).toBe(true);
    expect(isDirectoryEntry('a')).toBe(false);
  });

  it('recognises OS clutter but not model files', () => {
    expect(isClutterEntry('__MACOSX/nuclei/._model.json')).toBe(true);
    expect(isClutterEntry('nuclei/.DS_Store')).toBe(true);
    expect(isClutterEntry('nuclei/model.json')).toBe(false);
  });
});
