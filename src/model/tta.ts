import * as tf from '@tensorflow/tfjs';

/*
 * Test-time augmentation over the dihedral group D4: the 8 combinations of vertical flip, horizontal flip
 * and transpose (= the 4 rotations and their mirror images). Each transformed tile goes through the
 * network, the output is transformed back, and the 8 outputs are averaged. (The paper averaged 7 rotated
 * versions for the ISBI challenge; flips are free extra symmetry for microscopy.)
 *
 * Why this stays exact under overlap-tiling: a legal tile has an even size in front of every pool, so
 * flipping it maps each 2x2 pooling cell onto another cell of the same grid. The network applied to a
 * flipped/transposed tile is therefore the original network with flipped kernels on the same pooling
 * grid — still translation-equivariant on the 2^depth grid — and the averaged tiles stitch seamlessly.
 */

/** One element of D4 applied to an NHWC tensor: first reverse `flip` axes, then optionally swap H and W. */
export interface Dihedral {
  readonly flip: readonly (1 | 2)[];
  readonly transpose: boolean;
}

/** The 8 elements of D4, identity first. */
export const DIHEDRAL: readonly Dihedral[] = [false, true].flatMap((transpose) =>
  ([[], [1], [2], [1, 2]] as (1 | 2)[][]).map((flip) => ({ flip, transpose })),
);

/** Applies g to an NHWC tensor (a new tensor; caller disposes). */
export function applyDihedral(x: tf.Tensor4D, g: Dihedral): tf.Tensor4D {
  return tf.tidy(() => {
    let y = g.flip.length > 0 ? tf.reverse(x, [...g.flip]) : x.clone();
    if (g.transpose) y = tf.transpose(y, [0, 2, 1, 3]);
    return y;
  });
}

/** Applies g^-1 to an NHWC tensor: undo the transpose, then the flips (each is its own inverse). */
export function invertDihedral(y: tf.Tensor4D, g: Dihedral): tf.Tensor4D {
  return tf.tidy(() => {
    let x = g.transpose ? tf.transpose(y, [0, 2, 1, 3]) : y;
    x = g.flip.length > 0 ? tf.reverse(x, [...g.flip]) : x.clone();
    return x;
  });
}

/**
 * Mean over the 8 dihedral transforms g of g^-1(forward(g(x))). `forward` maps NHWC tiles to NHWC
 * outputs whose spatial transform commutes with g (true for the U-Net on legal tiles). The transforms run
 * one after another, so memory grows by one input and two outputs, not eightfold.
 */
export function ttaPredict(forward: (x: tf.Tensor4D) => tf.Tensor4D, x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    let sum: tf.Tensor4D | null = null;
    for (const g of DIHEDRAL) {
      // Inner tidy frees the transformed input and raw output of this transform right away.
      const back = tf.tidy(() => invertDihedral(forward(applyDihedral(x, g)), g));
      if (sum === null) {
        sum = back;
      } else {
        const next: tf.Tensor4D = tf.add(sum, back);
        sum.dispose();
        back.dispose();
        sum = next;
      }
    }
    if (sum === null) throw new Error('unreachable: DIHEDRAL is not empty');
    return tf.div(sum, DIHEDRAL.length) as tf.Tensor4D;
  });
}
