import * as tf from '@tensorflow/tfjs';
import { strToU8 } from 'fflate';
import type { FloatPlane } from '../../image/types';
import { segmenterToArtifacts } from '../io';
import { modelZipFromArtifacts, modelZipTime, zipFiles } from '../modelExport';
import type { NamedFile } from '../modelImport';
import { ONNX_OPSET, exportOnnx } from '../onnx/exportOnnx';
import { sha256Hex } from '../sha256';
import type { ModelCard, Segmenter } from '../types';
import { coverPng } from './cover';
import { encodeNpy } from './npy';
import { BIOIMAGEIO_FORMAT_VERSION, buildRdf, rdfCitations } from './rdf';
import type { BioimageioOptions } from './rdf';
import { packageReadme } from './readme';
import { makeTestTensors } from './testTensors';
import type { TestTensorOptions } from './testTensors';
import { toYaml } from './yaml';

/*
 * A bioimage.io model package (a ZIP with rdf.yaml at its root and every file it names beside it):
 *
 *   rdf.yaml          the model description (rdf.ts), format 0.5
 *   tfjs_weights.zip  the tensorflow_js weights: exactly the model ZIP of modelExport.ts
 *   weights.onnx      the same weights as ONNX (onnx/exportOnnx.ts), `parent: tensorflow_js`, so
 *                     onnxruntime-based consumers (deepImageJ, ilastik, bioimageio.core) run the model
 *   test_input.npy    raw test window, test_output.npy the model's output on it
 *   cover.png         input | foreground probability
 *   README.md         documentation, with a Validation section
 *
 * importModelZip reads such a package back (it finds the weights ZIP inside), so a package is also a
 * way to move a model between U-Net Studio sessions.
 */

/** File names inside the package. */
export const PACKAGE_FILES = {
  rdf: 'rdf.yaml',
  weights: 'tfjs_weights.zip',
  onnx: 'weights.onnx',
  testInput: 'test_input.npy',
  testOutput: 'test_output.npy',
  cover: 'cover.png',
  documentation: 'README.md',
} as const;

/** Options of a package: rdf metadata plus the size of the test window. */
export interface BioimageioPackageOptions extends BioimageioOptions, TestTensorOptions {}

/** A package: its files, the ZIP of them, and the rdf.yaml text. */
export interface BioimageioPackage {
  readonly files: readonly NamedFile[];
  readonly zip: Uint8Array;
  readonly rdfYaml: string;
}

/**
 * Builds the bioimage.io package of a model. `testImage` is a raw image (one plane per input channel,
 * before normalisation) from which a centred window becomes the test input.
 */
export async function bioimageioPackage(
  segmenter: Segmenter,
  card: ModelCard,
  testImage: FloatPlane | readonly FloatPlane[],
  options: BioimageioPackageOptions = {},
): Promise<BioimageioPackage> {
  const artifacts = await segmenterToArtifacts(segmenter);
  const weightsZip = modelZipFromArtifacts(artifacts, card);
  const tensors = makeTestTensors(segmenter, card, testImage, options);
  const testInput = encodeNpy(tensors.input.data, tensors.input.shape);
  const testOutput = encodeNpy(tensors.output.data, tensors.output.shape);
  const cover = coverPng(tensors.coverImage, tensors.coverForeground);
  const onnx = exportOnnx(segmenter, { docString: `${card.name}: ${card.description}` });
  const [weightsSha, onnxSha, inputSha, outputSha] = await Promise.all([sha256Hex(weightsZip), sha256Hex(onnx), sha256Hex(testInput), sha256Hex(testOutput)]);

  const tfjsVersion = tf.version_core;
  const rdf = buildRdf(
    card,
    {
      weights: { source: PACKAGE_FILES.weights, sha256: weightsSha },
      onnx: { source: PACKAGE_FILES.onnx, sha256: onnxSha, opsetVersion: ONNX_OPSET },
      testInput: { source: PACKAGE_FILES.testInput, sha256: inputSha },
      testOutput: { source: PACKAGE_FILES.testOutput, sha256: outputSha },
      cover: PACKAGE_FILES.cover,
      documentation: PACKAGE_FILES.documentation,
    },
    tfjsVersion,
    options,
  );
  const rdfYaml = toYaml(rdf, [`bioimage.io model description (format ${BIOIMAGEIO_FORMAT_VERSION}) written by U-Net Studio`]);
  const readme = packageReadme(card, {
    weightsFile: PACKAGE_FILES.weights,
    testInputShape: tensors.input.shape,
    testOutputShape: tensors.output.shape,
    citations: rdfCitations(card, options.citations),
    license: typeof rdf.license === 'string' ? rdf.license : undefined,
    tfjsVersion,
    onnx: { file: PACKAGE_FILES.onnx, opsetVersion: ONNX_OPSET },
  });
  const files: NamedFile[] = [
    { name: PACKAGE_FILES.rdf, bytes: strToU8(rdfYaml) },
    { name: PACKAGE_FILES.weights, bytes: weightsZip },
    { name: PACKAGE_FILES.onnx, bytes: onnx },
    { name: PACKAGE_FILES.testInput, bytes: testInput },
    { name: PACKAGE_FILES.testOutput, bytes: testOutput },
    { name: PACKAGE_FILES.cover, bytes: cover },
    { name: PACKAGE_FILES.documentation, bytes: strToU8(readme) },
  ];
  return { files, zip: zipFiles(files, modelZipTime(card)), rdfYaml };
}
