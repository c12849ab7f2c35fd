import * as tf from '@tensorflow/tfjs';
import { logitsFunction } from '../src/model/gradientCheck';
import { weightedSoftmaxCrossEntropy } from '../src/model/loss';
import { createStepper } from '../src/model/trainingStep';
import type { Segmenter } from '../src/model/types';
import { outputSize } from '../src/model/validSize';

/** One training step's tensor work on a fixed tile: `step` runs it (read back), `dispose` frees its tensors. */
export interface FixedTileStep {
  readonly step: () => void;
  readonly dispose: () => void;
}

/**
 * One training step (forward, backward, Adam) on a fixed random tile and label map, without the tile
 * sampler, so a profile sees the tensor part alone. `weights`: all ones, or random in [0.5, 5) like a
 * border-weight map.
 */
export function fixedTileStep(net: Segmenter, tile: number, weights: 'ones' | 'random'): FixedTileStep {
  const out = outputSize(net.config, tile);
  const input = tf.randomUniform([1, tile, tile, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
  const targets = tf.randomUniform([1, out, out], 0, 2, 'int32', 4) as tf.Tensor3D;
  const weightMap = (weights === 'ones' ? tf.ones([1, out, out]) : tf.randomUniform([1, out, out], 0.5, 5, 'float32', 5)) as tf.Tensor3D;
  const stepper = createStepper(net, { optimizer: 'adam', learningRate: 1e-4 });
  const logits = logitsFunction(net);
  return {
    step: () => {
      const loss = tf.tidy(() => stepper.step(() => weightedSoftmaxCrossEntropy(logits(input, true), targets, weightMap)));
      loss.dataSync();
      loss.dispose();
    },
    dispose: () => {
      stepper.dispose();
      tf.dispose([input, targets, weightMap]);
    },
  };
}
