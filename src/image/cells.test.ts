import { describe, expect, it } from 'vitest';
import { defaultPostProcessing, objectsFromProbability, plainPostProcessing } from './postProcessing';

/**
 * A constructed EM membrane map: a 4 x 4 grid of 20 px cells separated by 2 px membranes (p = 0.9) on
 * a cell interior of p = 0.05, with seeded noise. One membrane has a 4 px gap where the model is
 * unsure (p = 0.4, below the 0.5 threshold), so the thresholded non-membrane joins those two cells.
 */
const CELL = 20;
const WALL = 2;
const N = 4;
const SIZE = N * CELL + (N - 1) * WALL; // 86

function membraneGrid(): Float32Array {
  const p = new Float32Array(SIZE * SIZE);
  let s = 7;
  const noise = (): number => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) * 0.06;
  const onWall = (v: number): boolean => v % (CELL + WALL) >= CELL;
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) p[y * SIZE + x] = (onWall(x) || onWall(y) ? 0.9 : 0.05) + noise();
  }
  // Gap in the vertical wall between cells (0, 0) and (1, 0), rows 8..11.
  for (let y = 8; y < 12; y++) for (let x = CELL; x < CELL + WALL; x++) p[y * SIZE + x] = 0.4;
  return p;
}

/** Label at the centre of grid cell (i, j). */
function centre(labels: Uint32Array, i: number, j: number): number {
  const c = (k: number): number => k * (CELL + WALL) + CELL / 2;
  return labels[c(j) * SIZE + c(i)];
}

describe('enclosedCells', () => {
  const membrane = membraneGrid();

  it('finds the 16 cells of the grid, one label per cell, every pixel in a cell', () => {
    const cells = objectsFromProbability(membrane, SIZE, SIZE, defaultPostProcessing('cells'));
    expect(cells.count).toBe(16);
    expect(cells.sizes[0]).toBe(0);
    const ids = new Set<number>();
    for (let j = 0; j < N; j++) for (let i = 0; i < N; i++) ids.add(centre(cells.labels, i, j));
    expect(ids.size).toBe(16);
    // Each cell's whole interior carries its centre's label.
    for (let j = 0; j < N; j++) {
      for (let i = 0; i < N; i++) {
        const id = centre(cells.labels, i, j);
        for (let y = j * (CELL + WALL); y < j * (CELL + WALL) + CELL; y++) {
          const row = cells.labels.subarray(y * SIZE + i * (CELL + WALL), y * SIZE + i * (CELL + WALL) + CELL);
          expect(row.every((v) => v === id)).toBe(true);
        }
      }
    }
    // Membrane pixels are shared out: every cell is its 20 x 20 interior plus part of the walls.
    for (let k = 1; k <= 16; k++) expect(cells.sizes[k]).toBeGreaterThan(CELL * CELL);
  });

  it('the connected pieces of the thresholded map (split "none") merge the two cells at the gap', () => {
    const pieces = objectsFromProbability(membrane, SIZE, SIZE, plainPostProcessing('cells'));
    expect(pieces.count).toBe(15);
    expect(centre(pieces.labels, 0, 0)).toBe(centre(pieces.labels, 1, 0));
    expect(pieces.sizes[0]).toBeGreaterThan(0); // membrane pixels belong to no cell
  });

  // Unsmoothed, the gap (0.4) is 0.35 above the cell interiors and the intact walls 0.85.
  it('an h above the gap but below the walls merges exactly the two cells at the gap', () => {
    const cells = objectsFromProbability(membrane, SIZE, SIZE, { ...defaultPostProcessing('cells'), smoothing: 0, h: 0.5 });
    expect(cells.count).toBe(15);
    expect(centre(cells.labels, 0, 0)).toBe(centre(cells.labels, 1, 0));
  });
});
