/**
 * Reference tensors for bench/gpu/unet_torch.py --check: a seeded input tile (NHWC, a legal size, not
 * square) and our model's softmax on it, computed with tfjs (WASM) — the app's own numbers. Writes
 * OUT/MODEL/input.npy and output.npy for each model folder given.
 *
 *   npx tsx bench/gpu/reference.ts OUT public/models/nuclei public/models/em-membranes
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { encodeNpy } from '../../src/model/bioimageio/npy';
import { minInputSize, sizeStep } from '../../src/model/validSize';
import { initNodeBackend } from '../../cli/backend';
import { loadModelDir } from '../../cli/modelFiles';

async function main(): Promise<void> {
  const [out, ...models] = process.argv.slice(2);
  if (!out || models.length === 0) throw new Error('usage: tsx bench/gpu/reference.ts OUT MODEL_DIR...');
  await initNodeBackend('wasm');
  for (const dir of models) {
    const { segmenter } = await loadModelDir(dir);
    const h = minInputSize(segmenter.config) + sizeStep(segmenter.config);
    const w = minInputSize(segmenter.config) + 2 * sizeStep(segmenter.config);
    const data = new Float32Array(h * w);
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37) * 0.6 + ((i * 7919) % 101) / 200;
    const input = tf.tensor4d(data, [1, h, w, segmenter.config.inChannels]);
    const output = segmenter.predictTile(input);
    const probabilities = (await output.data()) as Float32Array;
    const target = path.join(out, path.basename(dir));
    mkdirSync(target, { recursive: true });
    writeFileSync(path.join(target, 'input.npy'), encodeNpy(data, [1, h, w, 1]));
    writeFileSync(path.join(target, 'output.npy'), encodeNpy(probabilities, output.shape));
    process.stderr.write(`${dir}: input ${h}x${w} -> ${output.shape.join('x')}\n`);
    tf.dispose([input, output]);
    segmenter.dispose();
  }
}

void main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
