import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RasterImage } from '../src/image/types';
import { UsageError } from './args';
import { filterFiles, labelsFromRaster, listImageFiles, parseIds, readIdList, stemOf } from './dataset';

function dirWith(names: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'unet-ds-'));
  for (const n of names) writeFileSync(path.join(dir, n), '');
  return dir;
}

describe('dataset helpers', () => {
  it('lists PNG/TIFF files in natural order and pairs by stem', () => {
    const dir = dirWith(['10.png', '2.png', '1.tif', 'notes.txt']);
    expect(listImageFiles(dir).map(stemOf)).toEqual(['1', '2', '10']);
    expect(() => listImageFiles(dirWith(['a.txt']))).toThrow(/no PNG or TIFF/);
    expect(() => listImageFiles('/nonexistent/dir', '--images')).toThrow(/--images '\/nonexistent\/dir' does not exist/);
  });

  it('parses id ranges and lists, and filters by them', () => {
    expect([...parseIds('0-2,7,abc')]).toEqual(['0', '1', '2', '7', 'abc']);
    expect(() => parseIds('5-3')).toThrow(UsageError);
    const dir = dirWith(['0.png', '1.png', '2.png', '3.png']);
    const files = listImageFiles(dir);
    expect(filterFiles(files, dir, { ids: parseIds('1-2') }).map(stemOf)).toEqual(['1', '2']);
    expect(() => filterFiles(files, dir, { ids: parseIds('9') })).toThrow(/no image named 9/);
    const list = path.join(dir, 'split.txt');
    writeFileSync(list, '# held out\n3.png\n0\n');
    expect([...readIdList(list)]).toEqual(['3', '0']);
  });

  it('filters by size group from metadata.csv', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'unet-meta-'));
    const images = path.join(root, 'images');
    mkdirSync(images);
    for (const n of ['a', 'b', 'c']) writeFileSync(path.join(images, `${n}.png`), '');
    writeFileSync(path.join(images, 'd.png'), '');
    writeFileSync(path.join(root, 'metadata.csv'), 'image_id,width,size_group\na,1,small\nb,1,big\nc,1,small\nd,1,mid\n');
    const files = listImageFiles(images);
    expect(filterFiles(files, images, { excludeGroup: ['big'] }).map(stemOf)).toEqual(['a', 'c', 'd']);
    expect(filterFiles(files, images, { group: ['big'] }).map(stemOf)).toEqual(['b']);
    // Several groups at once: a model that holds out two size groups (the shipped nuclei model's split).
    expect(filterFiles(files, images, { excludeGroup: ['big', 'mid'] }).map(stemOf)).toEqual(['a', 'c']);
    expect(filterFiles(files, images, { group: ['big', 'mid'] }).map(stemOf)).toEqual(['b', 'd']);
    expect(() => filterFiles(files, images, { group: ['huge'] })).toThrow(/size group 'huge'/);
    expect(() => filterFiles(files, images, { excludeGroup: ['big', 'bigg'] })).toThrow(/size group 'bigg'/);
    expect(() => filterFiles(files, images, { group: ['big'], excludeGroup: ['big'] })).toThrow(/leave no images/);
  });

  it('converts label conventions to partial labels', () => {
    const raster = (data: number[]): RasterImage => ({ width: 3, height: 1, channels: 1, bitDepth: 8, data: Uint8Array.from(data) });
    expect([...labelsFromRaster(raster([0, 255, 255]), 'binary', 'nuclei', 0, 'l').labels]).toEqual([1, 2, 2]);
    expect([...labelsFromRaster(raster([0, 255, 0]), 'binary', 'membranes', 0, 'l').labels]).toEqual([2, 1, 2]);
    // Two touching instances: the higher id yields a seam pixel.
    expect([...labelsFromRaster(raster([1, 2, 2]), 'instance', 'nuclei', 0, 'l').labels]).toEqual([2, 1, 2]);
    expect([...labelsFromRaster(raster([0, 1, 2]), 'partial', 'nuclei', 0, 'l').labels]).toEqual([0, 1, 2]);
    expect(() => labelsFromRaster(raster([0, 255, 0]), 'partial', 'nuclei', 0, 'l.png')).toThrow(/not a partial label/);
  });
});
