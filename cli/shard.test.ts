/**
 * `--shard K/N` deals a folder out deterministically: the shares are disjoint, cover every input, differ in
 * size by at most one, and do not depend on the order the folder was listed in; the merge refuses records
 * that do not add up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { inputsHash, mergeShards, parseShard, shardFiles, summaryCsv, writeShardRecord } from './shard';
import type { Shard, ShardRecord } from './shard';

/** Seeded file names: digits, letters, case and lengths mixed, like a real folder. */
function names(count: number, seed: number): string[] {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const alphabet = 'abcXYZ0123456789_-';
  const out = new Set<string>();
  while (out.size < count) {
    const len = 1 + Math.floor(rand() * 12);
    out.add(`/data/in/${Array.from({ length: len }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('')}.png`);
  }
  return [...out];
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 16807) % 2147483647;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('shardFiles', () => {
  for (const [count, n] of [[0, 3], [1, 4], [7, 1], [10, 3], [25, 8], [100, 7], [64, 64]] as const) {
    it(`${count} files in ${n} shards: disjoint, complete, balanced, independent of listing order`, () => {
      const files = names(count, count * 31 + n);
      const shares = Array.from({ length: n }, (_, k) => shardFiles(files, { index: k + 1, count: n }));
      const all = shares.flat();
      expect(all.length).toBe(files.length);
      expect(new Set(all).size).toBe(files.length);
      expect([...all].sort()).toEqual([...files].sort());
      const sizes = shares.map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      for (let k = 0; k < n; k++) expect(shardFiles(shuffled(files, 7 + k), { index: k + 1, count: n })).toEqual(shares[k]);
    });
  }

  it('deals by file name, not by folder path', () => {
    const a = shardFiles(['/x/b.png', '/y/a.png', '/x/c.png'], { index: 1, count: 2 });
    expect(a).toEqual(['/y/a.png', '/x/c.png']);
  });
});

describe('parseShard', () => {
  it('reads K/N with K from 1', () => {
    expect(parseShard('2/8')).toEqual({ index: 2, count: 8 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
  });
  it.each(['0/4', '5/4', '1/0', '3', 'a/b', '1/2/3', '-1/4'])('refuses %s with a message', (spec) => {
    expect(() => parseShard(spec)).toThrow(/--shard/);
  });
});

describe('mergeShards', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const files = ['a.png', 'b.png', 'c.png', 'd.png', 'e.png'];
  const record = (shard: Shard, inputs = shardFiles(files, shard), hash = inputsHash(files)): ShardRecord => ({
    shard,
    totalInputs: files.length,
    inputsHash: hash,
    inputs,
    rows: inputs.map((image) => ({ image, page: 1, width: 4, height: 3, objects: image.charCodeAt(0) - 96 })),
    failed: [],
  });

  it('merges complete shards into the rows of every input', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'shard-'));
    for (const k of [1, 2, 3]) writeShardRecord(dir, record({ index: k, count: 3 }));
    const merged = mergeShards(dir);
    expect(merged.count).toBe(3);
    expect(summaryCsv(merged.rows)).toBe('image,page,width,height,objects\na.png,1,4,3,1\nb.png,1,4,3,2\nc.png,1,4,3,3\nd.png,1,4,3,4\ne.png,1,4,3,5\n');
  });

  it('names a shard that has not finished', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'shard-'));
    writeShardRecord(dir, record({ index: 1, count: 3 }));
    writeShardRecord(dir, record({ index: 3, count: 3 }));
    expect(() => mergeShards(dir)).toThrow('shard 2 of 3 not finished');
  });

  it('refuses shards that saw different folders or overlap', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'shard-'));
    writeShardRecord(dir, record({ index: 1, count: 2 }));
    writeShardRecord(dir, record({ index: 2, count: 2 }, undefined, 'another-folder'));
    expect(() => mergeShards(dir)).toThrow(/different input folders/);
    writeShardRecord(dir, record({ index: 2, count: 2 }, ['a.png', 'b.png']));
    expect(() => mergeShards(dir)).toThrow('a.png was given to more than one shard');
  });

  it('says when there is nothing to merge', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'shard-'));
    expect(() => mergeShards(dir)).toThrow(/no shard records/);
  });
});
