import { refuse } from './importErrors';
import type { UnetConfig } from './types';
import { filtersAt } from './unet';

/*
 * Does a model.json describe the U-Net its card claims, before any tensor exists? The weight shapes of
 * our U-Net follow from the architecture alone (unet.ts builds the layers in this order and with these
 * names; unit tests compare this table with a freshly built model), so every weight spec of an imported
 * model.json is checked against it: a card that says depth 3 beside weights of depth 4, or 1 input
 * channel beside RGB weights, is refused here with the first offending weight named.
 */

/** Weight name (as in model.json) -> shape, for the U-Net `config` builds. */
export function expectedWeightShapes(config: UnetConfig): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  const conv = (name: string, k: number, cin: number, cout: number): void => {
    shapes.set(`${name}/kernel`, [k, k, cin, cout]);
    shapes.set(`${name}/bias`, [cout]);
  };
  let channels: number = config.inChannels;
  for (let k = 0; k < config.depth; k++) {
    conv(`down${k}_conv1`, 3, channels, filtersAt(config, k));
    conv(`down${k}_conv2`, 3, filtersAt(config, k), filtersAt(config, k));
    channels = filtersAt(config, k);
  }
  conv('bottom_conv1', 3, channels, filtersAt(config, config.depth));
  conv('bottom_conv2', 3, filtersAt(config, config.depth), filtersAt(config, config.depth));
  channels = filtersAt(config, config.depth);
  for (let k = config.depth - 1; k >= 0; k--) {
    const f = filtersAt(config, k);
    // Transposed convolution kernels are [h, w, outChannels, inChannels].
    shapes.set(`up${k}_upconv/kernel`, [2, 2, f, channels]);
    shapes.set(`up${k}_upconv/bias`, [f]);
    conv(`up${k}_conv1`, 3, 2 * f, f); // skip features and up-convolution, concatenated
    conv(`up${k}_conv2`, 3, f, f);
    channels = f;
  }
  conv('logits', 1, channels, config.classes);
  return shapes;
}

/** A weight spec read from an untrusted model.json, with the fields we rely on checked. */
export interface CheckedWeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** Bytes the weight occupies in the shard. */
  readonly bytes: number;
}

/** Stored bytes per element of the dtypes we read: float32, or float32 quantised to 8/16 bits. */
const QUANTISED_BYTES: Readonly<Record<string, number>> = { uint8: 1, uint16: 2, float16: 2 };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describeArchitecture(config: UnetConfig): string {
  return (
    `depth ${config.depth}, ${config.baseFilters} base filters, ${config.inChannels} input channel(s), ` +
    `${config.classes} classes`
  );
}

/** Checks one manifest entry's structure and dtype; returns its name, shape and size in bytes. */
export function checkWeightSpec(spec: unknown, index: number): CheckedWeightSpec {
  if (!isRecord(spec) || typeof spec.name !== 'string' || spec.name === '') {
    return refuse('bad-model-json', `model.json: weight #${index + 1} of the manifest has no name`);
  }
  const { name, shape, dtype, quantization } = spec;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    refuse('bad-model-json', `model.json: weight ${name} has no valid shape (a list of non-negative integers)`);
  }
  if (dtype !== 'float32') {
    refuse('unknown-dtype', `model.json: weight ${name} has dtype ${JSON.stringify(dtype)}; only float32 weights are read`);
  }
  let bytesPerElement = 4;
  if (quantization !== undefined) {
    const q = isRecord(quantization) ? quantization.dtype : undefined;
    const qBytes = typeof q === 'string' ? QUANTISED_BYTES[q] : undefined;
    if (qBytes === undefined) {
      refuse('unknown-dtype', `model.json: weight ${name} is quantised as ${JSON.stringify(q)}; only uint8, uint16 and float16 are read`);
    }
    bytesPerElement = qBytes;
  }
  const dims = shape as number[];
  const elements = dims.reduce((n, d) => n * d, 1);
  return { name, shape: dims, bytes: elements * bytesPerElement };
}

/**
 * Refuses (shape-mismatch) unless `specs` hold exactly the weights of the U-Net `config` describes, each
 * with its shape. Order is not checked: tfjs loads weights by name.
 */
export function checkWeightShapes(specs: readonly CheckedWeightSpec[], config: UnetConfig): void {
  const expected = expectedWeightShapes(config);
  const arch = describeArchitecture(config);
  const seen = new Set<string>();
  for (const spec of specs) {
    const want = expected.get(spec.name);
    if (want === undefined) {
      refuse('shape-mismatch', `model.json has a weight ${spec.name} that a U-Net with ${arch} (the card's architecture) does not have`);
    }
    if (seen.has(spec.name)) refuse('bad-model-json', `model.json lists the weight ${spec.name} twice`);
    seen.add(spec.name);
    if (want.length !== spec.shape.length || want.some((d, i) => d !== spec.shape[i])) {
      refuse(
        'shape-mismatch',
        `weight ${spec.name} has shape [${spec.shape.join(', ')}] but the card's architecture (${arch}) needs [${want.join(', ')}]`,
      );
    }
  }
  for (const name of expected.keys()) {
    if (!seen.has(name)) refuse('shape-mismatch', `model.json lacks the weight ${name}, which a U-Net with ${arch} (the card's architecture) needs`);
  }
}

/** Layer classes a saved U-Net consists of; anything else is not one of our models. */
const UNET_LAYER_CLASSES = new Set([
  'InputLayer',
  'Conv2D',
  'MaxPooling2D',
  'Dropout',
  'Conv2DTranspose',
  'SkipCrop2D',
  'Concatenate',
  'Softmax',
]);

/**
 * Checks the topology of model.json against the card: only U-Net layer classes, and the padding of the
 * 3x3 convolutions as the card says (weights cannot show it, and a 'same' network read as 'valid' would
 * tile wrongly).
 */
export function checkTopology(topology: unknown, config: UnetConfig): void {
  const layers = isRecord(topology) && isRecord(topology.config) ? topology.config.layers : undefined;
  if (!Array.isArray(layers)) {
    return refuse('bad-model-json', 'model.json: modelTopology is not a tfjs layers model (no config.layers list)');
  }
  for (const layer of layers as unknown[]) {
    const cls = isRecord(layer) ? layer.class_name : undefined;
    const name = isRecord(layer) ? String(layer.name) : '?';
    if (typeof cls !== 'string' || !UNET_LAYER_CLASSES.has(cls)) {
      refuse('bad-model-json', `model.json: layer ${name} is a ${JSON.stringify(cls)}, which is not part of a U-Net Studio U-Net`);
    }
    const layerConfig = isRecord(layer) && isRecord(layer.config) ? layer.config : {};
    if (cls === 'Conv2D' && /_conv[12]$/.test(name) && layerConfig.padding !== config.padding) {
      refuse(
        'shape-mismatch',
        `model.json: layer ${name} has padding ${JSON.stringify(layerConfig.padding)} but the card says '${config.padding}'`,
      );
    }
  }
}
