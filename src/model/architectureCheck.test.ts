import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkTopology, checkWeightShapes, checkWeightSpec, expectedWeightShapes } from './architectureCheck';
import { ModelImportError } from './importErrors';
import { artifactsToModelJson, segmenterToArtifacts } from './io';
import type { UnetConfig } from './types';
import { createUnet } from './unet';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const base: UnetConfig = { depth: 2, baseFilters: 4, inChannels: 1, classes: 2, dropout: 0, padding: 'valid', seed: 1 };

async function savedSpecs(config: UnetConfig): Promise<{ specs: tf.io.WeightsManifestEntry[]; topology: unknown }> {
  const s = createUnet(config);
  try {
    const artifacts = await segmenterToArtifacts(s);
    return { specs: artifacts.weightSpecs ?? [], topology: artifactsToModelJson(artifacts).modelTopology };
  } finally {
    s.dispose();
  }
}

function problemOf(fn: () => void): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof ModelImportError) return `${error.problem}: ${error.message}`;
    throw error;
  }
  return 'accepted';
}

describe('expectedWeightShapes', () => {
  it.each<UnetConfig>([
    base,
    { ...base, depth: 1, baseFilters: 2 },
    { ...base, depth: 3, inChannels: 3, classes: 3, dropout: 0.2 },
    { ...base, padding: 'same' },
  ])('matches the weights a freshly built U-Net saves (%o)', async (config) => {
    const before = tf.memory().numTensors;
    const { specs } = await savedSpecs(config);
    const saved = new Map(specs.map((s) => [s.name, s.shape]));
    expect(expectedWeightShapes(config)).toEqual(saved);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is computed without making a tensor', () => {
    const before = tf.memory().numTensors;
    expectedWeightShapes({ ...base, depth: 5, baseFilters: 64 });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('checkWeightShapes', () => {
  it("accepts a model's own specs and refuses those of another architecture, naming a weight", async () => {
    const { specs } = await savedSpecs(base);
    const checked = specs.map(checkWeightSpec);
    expect(problemOf(() => checkWeightShapes(checked, base))).toBe('accepted');
    expect(problemOf(() => checkWeightShapes(checked, { ...base, baseFilters: 8 }))).toMatch(
      /^shape-mismatch: weight down0_conv1\/kernel has shape \[3, 3, 1, 4\] but .* needs \[3, 3, 1, 8\]/,
    );
    expect(problemOf(() => checkWeightShapes(checked, { ...base, inChannels: 3 }))).toMatch(/down0_conv1\/kernel .*needs \[3, 3, 3, 4\]/);
    expect(problemOf(() => checkWeightShapes(checked, { ...base, depth: 3 }))).toMatch(/^shape-mismatch: .*(lacks the weight|has shape)/);
    expect(problemOf(() => checkWeightShapes(checked, { ...base, depth: 1 }))).toMatch(/^shape-mismatch: .*does not have/);
    expect(problemOf(() => checkWeightShapes(checked.slice(1), base))).toMatch(/lacks the weight down0_conv1\/kernel/);
  });

  it('computes bytes and refuses unknown dtypes and quantisations', () => {
    expect(checkWeightSpec({ name: 'w', shape: [3, 3, 1, 4], dtype: 'float32' }, 0).bytes).toBe(144);
    expect(checkWeightSpec({ name: 'w', shape: [10], dtype: 'float32', quantization: { dtype: 'uint8', scale: 1, min: 0 } }, 0).bytes).toBe(10);
    expect(checkWeightSpec({ name: 'w', shape: [10], dtype: 'float32', quantization: { dtype: 'float16' } }, 0).bytes).toBe(20);
    expect(problemOf(() => checkWeightSpec({ name: 'w', shape: [1], dtype: 'int32' }, 0))).toMatch(/^unknown-dtype: .*w has dtype "int32"/);
    expect(problemOf(() => checkWeightSpec({ name: 'w', shape: [1], dtype: 'float64' }, 0))).toMatch(/^unknown-dtype/);
    expect(problemOf(() => checkWeightSpec({ name: 'w', shape: [1], dtype: 'float32', quantization: { dtype: 'int4' } }, 0))).toMatch(
      /^unknown-dtype: .*quantised as "int4"/,
    );
    expect(problemOf(() => checkWeightSpec({ name: 'w', shape: [-1], dtype: 'float32' }, 0))).toMatch(/^bad-model-json: .*shape/);
    expect(problemOf(() => checkWeightSpec({ shape: [1], dtype: 'float32' }, 4))).toMatch(/weight #5 .*no name/);
  });
});

describe('checkTopology', () => {
  it("accepts a U-Net's own topology and refuses foreign layers and a padding the card does not say", async () => {
    const { topology } = await savedSpecs(base);
    expect(problemOf(() => checkTopology(topology, base))).toBe('accepted');
    expect(problemOf(() => checkTopology(topology, { ...base, padding: 'same' }))).toMatch(
      /^shape-mismatch: .*down0_conv1 has padding "valid" but the card says 'same'/,
    );
    const foreign = JSON.parse(JSON.stringify(topology)) as { config: { layers: { class_name: string }[] } };
    foreign.config.layers[3].class_name = 'Lambda';
    expect(problemOf(() => checkTopology(foreign, base))).toMatch(/^bad-model-json: .*"Lambda"/);
    expect(problemOf(() => checkTopology({ class_name: 'Model' }, base))).toMatch(/no config.layers/);
  });
});
