/**
 * Start-of-training check that the active backend can run a U-Net's backward pass. Without it a missing
 * gradient kernel (tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter) surfaces only after tiles were
 * prepared, as a bare "Kernel ... not registered" from deep inside tfjs.
 */
import * as tf from '@tensorflow/tfjs';
import { weightedSoftmaxCrossEntropy } from './loss';
import type { Segmenter } from './types';
import { minInputSize } from './validSize';

/** Thrown when the backend lacks a kernel that training needs; `kernel` names it. */
export class MissingKernelError extends Error {
  override readonly name = 'MissingKernelError';
  constructor(
    readonly kernel: string,
    readonly backend: string,
  ) {
    super(
      `The '${backend}' backend cannot train this U-Net: it has no '${kernel}' kernel. ` +
        (backend === 'wasm'
          ? 'Call registerWasmGradientKernels() (src/model/wasmKernels.ts) before training.'
          : 'Train on another backend (webgpu, wasm or cpu).'),
    );
  }
}

/**
 * The model's pre-softmax scores as a second LayersModel sharing the same weights: the loss needs logits
 * for a numerically stable log-softmax. Falls back to the log of the probabilities for models that have
 * no layer named 'logits'.
 */
export function logitsFunction(segmenter: Segmenter): (input: tf.Tensor4D, training: boolean) => tf.Tensor4D {
  const { model } = segmenter;
  const layer = model.layers.find((l) => l.name === 'logits');
  if (layer !== undefined) {
    const logitsModel = tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor });
    return (input, training) => logitsModel.apply(input, { training }) as tf.Tensor4D;
  }
  return (input, training) => tf.tidy(() => tf.log(tf.maximum(model.apply(input, { training }) as tf.Tensor4D, 1e-7)));
}

/**
 * Runs one forward and backward pass on the smallest legal tile with the active backend and throws a
 * MissingKernelError naming the first missing kernel. Leaves no tensors behind and changes no weights.
 * Reads the results asynchronously: a synchronous read (dataSync) on WebGPU goes through a canvas path
 * that lost the device in Chromium, which would turn a check into the failure it guards against.
 */
export async function gradientSmokeTest(segmenter: Segmenter): Promise<void> {
  const { config } = segmenter;
  const size = minInputSize(config);
  const logits = logitsFunction(segmenter);
  let outputs: tf.Tensor[] = [];
  try {
    outputs = tf.tidy(() => {
      const input = tf.randomUniform([1, size, size, config.inChannels], 0, 1, 'float32', 1) as tf.Tensor4D;
      const { value, grads } = tf.variableGrads(() => {
        const out = logits(input, true);
        const [, h, w] = out.shape;
        return weightedSoftmaxCrossEntropy(out, tf.zeros([1, h, w], 'int32'), tf.ones([1, h, w]));
      });
      return [value, ...Object.values(grads)];
    });
    // Reading the values forces every kernel to execute on lazily evaluating backends.
    await Promise.all(outputs.map((t) => t.data()));
  } catch (e) {
    const match = /Kernel '([^']+)' not registered for backend '([^']+)'/.exec(e instanceof Error ? e.message : String(e));
    if (match) throw new MissingKernelError(match[1], match[2]);
    throw e;
  } finally {
    tf.dispose(outputs);
  }
}
