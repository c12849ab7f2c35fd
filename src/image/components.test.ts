import { describe, expect, it } from 'vitest';
import { connectedComponents, thresholdComponents } from './components';

/** Parses a picture: '#' foreground, '.' background. */
function picture(rows: string[]): { mask: Uint8Array; width: number; height: number } {
  const width = rows[0].length;
  const mask = new Uint8Array(width * rows.length);
  rows.forEach((r, y) => [...r].forEach((ch, x) => (mask[y * width + x] = ch === '#' ? 1 : 0)));
  return { mask, width, height: rows.length };
}

/** Independent reference: flood fill from each unlabelled pixel in scan order. */
function bfsLabels(mask: Uint8Array, w: number, h: number, eight: boolean): Uint32Array {
  const out = new Uint32Array(w * h);
  const offs = eight ? [[-1, -1], [0, -1], [1, -1], [-1, 0], [1, 0], [-1, 1], [0, 1], [1, 1]] : [[0, -1], [-1, 0], [1, 0], [0, 1]];
  let next = 0;
  for (let s = 0; s < w * h; s++) {
    if (!mask[s] || out[s]) continue;
    out[s] = ++next;
    const queue = [s];
    while (queue.length) {
      const p = queue.pop()!;
      const x = p % w;
      const y = (p - x) / w;
      for (const [dx, dy] of offs) {
        const nx = x + dx;
        const ny = y + dy;
        const q = ny * w + nx;
        if (nx >= 0 && ny >= 0 && nx < w && ny < h && mask[q] && !out[q]) {
          out[q] = next;
          queue.push(q);
        }
      }
    }
  }
  return out;
}

describe('connectedComponents', () => {
  it('diagonal contact splits with 4-connectivity and joins with 8', () => {
    const { mask, width, height } = picture(['##..', '##..', '..##', '..##']);
    expect(connectedComponents(mask, width, height).count).toBe(2);
    expect(connectedComponents(mask, width, height, { connectivity: 8 }).count).toBe(1);
  });

  it('merges branches that meet late (U and staircase shapes)', () => {
    const u = picture(['#.#.#', '#.#.#', '#####']);
    const c = connectedComponents(u.mask, u.width, u.height);
    expect(c.count).toBe(1);
    expect(c.sizes[1]).toBe(11);
    const stairs = picture(['....#', '...##', '..##.', '.##..', '##...']);
    expect(connectedComponents(stairs.mask, 5, 5).count).toBe(1);
    const diag = picture(['...#', '..#.', '.#..', '#...']);
    expect(connectedComponents(diag.mask, 4, 4).count).toBe(4);
    expect(connectedComponents(diag.mask, 4, 4, { connectivity: 8 }).count).toBe(1);
  });

  it('matches an independent flood-fill labelling on random masks, both connectivities', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (const density of [0.3, 0.5, 0.62]) {
      const w = 67;
      const h = 45;
      const mask = Uint8Array.from({ length: w * h }, () => (rand() < density ? 1 : 0));
      for (const conn of [4, 8] as const) {
        const c = connectedComponents(mask, w, h, { connectivity: conn });
        const ref = bfsLabels(mask, w, h, conn === 8);
        expect(c.labels).toEqual(ref);
        expect(c.count).toBe(Math.max(...ref));
      }
    }
  });

  it('a checkerboard gives one object per foreground pixel (worst case of provisional labels)', () => {
    const w = 64;
    const mask = Uint8Array.from({ length: w * w }, (_, i) => ((i % w) + Math.floor(i / w)) % 2);
    expect(connectedComponents(mask, w, w).count).toBe((w * w) / 2);
    expect(connectedComponents(mask, w, w, { connectivity: 8 }).count).toBe(1);
  });

  it('removes objects below the minimum size and renumbers the rest in order', () => {
    const { mask, width, height } = picture(['#..##..###', '...##..###', '.......###', '#.........']);
    const all = connectedComponents(mask, width, height);
    expect(all.count).toBe(4);
    const c = connectedComponents(mask, width, height, { minSize: 4 });
    expect(c.count).toBe(2);
    expect([...c.sizes]).toEqual([40 - 13, 4, 9]);
    expect(c.labels[0]).toBe(0); // the single pixel became background
    expect(c.labels[3]).toBe(1);
    expect(c.labels[7]).toBe(2);
  });

  it('thresholds probabilities with >=', () => {
    const prob = new Float32Array([0.2, 0.5, 0.7, 0.49, 0.9, 0.1]);
    const c = thresholdComponents(prob, 3, 2, 0.5);
    expect([...c.labels]).toEqual([0, 1, 1, 0, 1, 0]);
  });

  it('rejects a mask of the wrong size', () => {
    expect(() => connectedComponents(new Uint8Array(5), 2, 2)).toThrow(/expected 2x2/);
  });

  it('labels a 4096x4096 image with 262144 objects', () => {
    const w = 4096;
    const mask = new Uint8Array(w * w);
    for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) if (y % 8 < 3 && x % 8 < 5) mask[y * w + x] = 1;
    const c = connectedComponents(mask, w, w, { connectivity: 8, minSize: 2 });
    expect(c.count).toBe(512 * 512);
    expect(c.sizes[c.count]).toBe(15);
    expect(c.labels[(w - 8) * w + (w - 8)]).toBe(c.count);
  });
});
