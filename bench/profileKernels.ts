/**
 * Groups the kernels of a `tf.profile` run by what they do in a U-Net (3x3 conv, up-convolution, crop,
 * concatenation, their gradients...) and by layer (kind + output shape), with FLOPs for the convolutions.
 * Used by bench/profile.ts. Kinds are read off kernel names and shapes, since a profile carries no attrs:
 * a Conv2DBackpropInput whose output is twice its input is the up-convolution's forward pass, one whose
 * output is 2 px larger is a valid 3x3 conv's input gradient, and so on.
 */
import type * as tf from '@tensorflow/tfjs';

type KernelInfo = Awaited<ReturnType<typeof tf.profile>>['kernels'][number];

/** Kinds that count as convolutions (forward or gradient). */
export const CONVOLUTION_KINDS: readonly string[] = [
  'conv 3x3',
  'conv 1x1',
  'up-conv',
  'conv 3x3 dX',
  'conv 3x3 dW',
  'up-conv dX',
  'up-conv dW',
];

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The kind of one profiled kernel and its FLOPs (0 for anything but a convolution). */
export function classifyKernel(name: string, inputShapes: readonly (readonly number[] | null)[], outShape: readonly number[]): { kind: string; flops: number } {
  const [a = [], b = []] = inputShapes.map((s) => s ?? []);
  switch (name) {
    case 'FusedConv2D':
    case 'Conv2D': {
      // x = a, filter = b [kh, kw, ci, co]; a stride-2 conv only occurs as the up-convolution's input gradient.
      const flops = 2 * size(outShape) * b[0] * b[1] * b[2];
      if (a[1] >= 2 * outShape[1]) return { kind: 'up-conv dX', flops };
      return { kind: b[0] === 1 ? 'conv 1x1' : 'conv 3x3', flops };
    }
    case 'Conv2DBackpropInput': {
      // dy = a, filter = b [kh, kw, ci, co]
      const flops = 2 * size(a) * b[0] * b[1] * b[2];
      return { kind: outShape[1] >= 2 * a[1] ? 'up-conv' : 'conv 3x3 dX', flops };
    }
    case 'Conv2DBackpropFilter': {
      // x = a, dy = b, output = the filter [kh, kw, ci, co]
      const flops = 2 * size(b) * outShape[0] * outShape[1] * outShape[2];
      return { kind: outShape[0] === 2 ? 'up-conv dW' : 'conv 3x3 dW', flops };
    }
    case 'Slice':
      return { kind: 'slice (crop; concat grad)', flops: 0 };
    case 'Concat':
      return { kind: 'concat', flops: 0 };
    case 'PadV2':
      return { kind: 'pad (crop grad)', flops: 0 };
    case 'DepthToSpace':
      return { kind: 'depth-to-space', flops: 0 };
    case 'MaxPool':
    case 'MaxPoolGrad':
      return { kind: name === 'MaxPool' ? 'max-pool' : 'max-pool grad', flops: 0 };
    default:
      return { kind: 'elementwise, softmax, loss, optimiser', flops: 0 };
  }
}

/** Time and FLOPs per key (a kind, or a layer = kind + output shape). */
export interface ProfileRow {
  readonly key: string;
  readonly ms: number;
  readonly flops: number;
  readonly count: number;
}

/** Sums a profile's kernels by kind and by layer. Op scopes (names with "__op") are not kernels: skipped. */
export function summariseKernels(kernels: readonly KernelInfo[]): { byKind: ProfileRow[]; byLayer: ProfileRow[]; totalMs: number } {
  const kinds = new Map<string, ProfileRow>();
  const layers = new Map<string, ProfileRow>();
  let totalMs = 0;
  const add = (map: Map<string, ProfileRow>, key: string, ms: number, flops: number): void => {
    const row = map.get(key) ?? { key, ms: 0, flops: 0, count: 0 };
    map.set(key, { key, ms: row.ms + ms, flops: row.flops + flops, count: row.count + 1 });
  };
  for (const k of kernels) {
    if (k.name.includes('__op')) continue;
    const ms = k.kernelTimeMs as number;
    const out = (k.outputShapes[0] ?? []) as number[];
    const { kind, flops } = classifyKernel(k.name, k.inputShapes as (number[] | null)[], out);
    totalMs += ms;
    add(kinds, kind, ms, flops);
    add(layers, `${kind} -> [${out.join(',')}]`, ms, flops);
  }
  const sorted = (m: Map<string, ProfileRow>): ProfileRow[] => [...m.values()].sort((x, y) => y.ms - x.ms);
  return { byKind: sorted(kinds), byLayer: sorted(layers), totalMs };
}
