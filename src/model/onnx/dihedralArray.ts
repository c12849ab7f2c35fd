import type { Dihedral } from '../tta';

/*
 * The dihedral transforms of tta.ts on plain NHWC arrays, for runtimes other than tfjs (ONNX). Same
 * convention: g = first reverse the `flip` axes (1 = rows, 2 = columns), then optionally swap rows and
 * columns; g^-1 = undo the swap, then the flips.
 */

/** An NHWC array with its shape. */
export interface NhwcArray {
  readonly data: Float32Array;
  readonly dims: readonly [number, number, number, number];
}

/** g(x) when `inverse` is false, g^-1(x) when true. */
export function transformNhwc(x: NhwcArray, g: Dihedral, inverse: boolean): NhwcArray {
  const [n, h, w, c] = x.dims;
  const flipRows = g.flip.includes(1);
  const flipCols = g.flip.includes(2);
  const swap = g.transpose;
  // Output dims: the swap exchanges h and w either way.
  const oh = swap ? w : h;
  const ow = swap ? h : w;
  const out = new Float32Array(x.data.length);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        // Source pixel of output (i, j). Forward: y[i][j] = f[swap ? j : i][swap ? i : j] with
        // f[r][s] = x[flipRows ? h-1-r : r][flipCols ? w-1-s : s]. Inverse: x'[i][j] = y[...] where the
        // flips apply in the output's own frame before the swap.
        let r: number;
        let s: number;
        if (!inverse) {
          r = swap ? j : i;
          s = swap ? i : j;
          if (flipRows) r = h - 1 - r;
          if (flipCols) s = w - 1 - s;
        } else {
          let a = i;
          let d = j;
          if (flipRows) a = oh - 1 - a;
          if (flipCols) d = ow - 1 - d;
          r = swap ? d : a;
          s = swap ? a : d;
        }
        const src = ((b * h + r) * w + s) * c;
        const dst = ((b * oh + i) * ow + j) * c;
        for (let k = 0; k < c; k++) out[dst + k] = x.data[src + k];
      }
    }
  }
  return { data: out, dims: [n, oh, ow, c] };
}
