import { checkPlane } from './neighbours';

/**
 * Outer contours of labelled objects, two ways:
 * - {@link traceBoundaryPixels}: the 8-connected chain of boundary pixels (Moore-neighbour tracing with
 *   Jacob's stopping criterion), whose chain-code length is the perimeter in the measurement table;
 * - {@link pixelOutline}: the polygon along the pixel edges ("crack" contour), vertices at pixel
 *   corners. ImageJ fills a polygon ROI with the pixels whose centres lie inside it, so this polygon
 *   selects exactly the object's pixels (holes included) when Fiji opens it.
 * Both trace the piece of the object that holds its first pixel in raster order, clockwise on screen
 * (y down). A label split into several pieces is traced only for that piece.
 */

// Clockwise on screen: E, SE, S, SW, W, NW, N, NE.
const DX = [1, 1, 0, -1, -1, -1, 0, 1];
const DY = [0, 1, 1, 1, 0, -1, -1, -1];

/** Boundary pixels of an object and the chain-code length of the closed path through their centres. */
export interface BoundaryChain {
  /** Pixel indices in tracing order; the path closes back to the first. One entry for a single pixel. */
  readonly pixels: number[];
  /** Σ steps: 1 for an edge step, √2 for a diagonal one (0 for a single pixel). */
  readonly length: number;
}

/**
 * Moore-neighbour tracing of the outer boundary of the object `id` starting at its first pixel
 * `start` (raster order). A one-pixel-wide line is walked there and back, so its length is twice its
 * extent, as in a Freeman chain code.
 */
export function traceBoundaryPixels(labels: ArrayLike<number>, width: number, height: number, id: number, start: number): BoundaryChain {
  checkPlane('labels', labels.length, width, height);
  if (labels[start] !== id) throw new RangeError(`pixel ${start} is not part of object ${id}`);
  const inside = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < width && y < height && labels[y * width + x] === id;
  const pixels = [start];
  let x = start % width;
  let y = (start - x) / width;
  // Nothing before the first pixel belongs to the object: treat it as entered moving east.
  let dir = 0;
  let firstDir = -1;
  let length = 0;
  for (;;) {
    // The neighbour checked just before the current pixel was found is background; sweep from it.
    const back = (dir + (dir % 2 === 0 ? 6 : 5)) % 8;
    let next = -1;
    for (let k = 1; k <= 8; k++) {
      const d = (back + k) % 8;
      if (inside(x + DX[d], y + DY[d])) {
        next = d;
        break;
      }
    }
    if (next < 0) return { pixels, length: 0 }; // a single pixel
    const atStart = y * width + x === start;
    if (atStart && next === firstDir) break;
    if (firstDir < 0) firstDir = next;
    x += DX[next];
    y += DY[next];
    length += next % 2 === 0 ? 1 : Math.SQRT2;
    dir = next;
    if (y * width + x !== start) pixels.push(y * width + x);
  }
  return { pixels, length };
}

/** A closed polygon with integer vertices (pixel corners); the last vertex connects to the first. */
export interface Polygon {
  readonly x: Int32Array;
  readonly y: Int32Array;
}

/**
 * The outline of object `id` along pixel edges, from the top-left corner of its first pixel `start`,
 * clockwise on screen, with a vertex wherever the outline turns. With connectivity 8 the outline
 * passes through corners where the object touches itself diagonally; with 4 it turns away there.
 */
export function pixelOutline(labels: ArrayLike<number>, width: number, height: number, id: number, start: number, connectivity: 4 | 8 = 8): Polygon {
  checkPlane('labels', labels.length, width, height);
  if (labels[start] !== id) throw new RangeError(`pixel ${start} is not part of object ${id}`);
  const inside = (px: number, py: number): boolean => px >= 0 && py >= 0 && px < width && py < height && labels[py * width + px] === id;
  // Headings E, S, W, N (clockwise); the object is always on the right-hand side of the walk.
  const hx = [1, 0, -1, 0];
  const hy = [0, 1, 0, -1];
  // The two pixels ahead of corner (x, y) for each heading, as offsets: ahead-right, ahead-left.
  const rightX = [0, -1, -1, 0];
  const rightY = [0, 0, -1, -1];
  const leftX = [0, 0, -1, -1];
  const leftY = [-1, 0, 0, -1];
  const sx = start % width;
  const sy = (start - sx) / width;
  const xs: number[] = [sx];
  const ys: number[] = [sy];
  let x = sx + 1;
  let y = sy;
  let heading = 0;
  while (x !== sx || y !== sy) {
    const aheadRight = inside(x + rightX[heading], y + rightY[heading]);
    const aheadLeft = inside(x + leftX[heading], y + leftY[heading]);
    let turn: number;
    if (aheadLeft && (aheadRight || connectivity === 8)) turn = 3; // left
    else if (aheadRight) turn = 0;
    else turn = 1; // right
    if (turn !== 0) {
      xs.push(x);
      ys.push(y);
      heading = (heading + turn) % 4;
    }
    x += hx[heading];
    y += hy[heading];
  }
  return { x: Int32Array.from(xs), y: Int32Array.from(ys) };
}

/** Shoelace area of a polygon (positive for the clockwise-on-screen outlines above). */
export function polygonArea(p: Polygon): number {
  let s = 0;
  const n = p.x.length;
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    s += p.x[i] * p.y[j] - p.x[j] * p.y[i];
  }
  return s / 2;
}
