import { zipSync, type Zippable } from 'fflate';
import { thresholdComponents, type ComponentOptions, type Components } from './components';
import { autoRange, renderToRgba, type DisplaySettings } from './display';
import { encodeGrey8Png, encodeLabels, encodeMaskPng, encodeProbabilityPng, encodeRgbaPng } from './encode';
import { roiSetZip } from './imagejRoi';
import type { LabelCanvas } from './labels';
import { maskFromProbability } from './masks';
import { measureObjects, measurementsCsv, type ObjectMeasurement } from './measure';
import { toSingleChannel } from './normalize';
import { objectsFromProbability, type PostProcessing } from './postProcessing';
import { instanceColorTable } from './palette';
import type { FloatPlane, RasterImage } from './types';

/**
 * The export files of one image (issue 5 item 7), all exactly the input image's width and height:
 *   NAME_mask.png    8-bit, 255 = object (pixels of kept objects, so it agrees with NAME_labels)
 *   NAME_labels.png  16-bit instance ids, or NAME_labels.tif (32-bit) beyond 65535 objects
 *   NAME_prob.png    8-bit probability * 255
 *   NAME_preview.png the image in grey with objects in distinct colours and outlined
 *   NAME_painted.png painted labels, partial format (0 unlabelled, 1 background, 2 foreground)
 *   NAME_objects.csv the measurement table of the objects (measure.ts), as `segment --csv` writes it
 *   NAME_RoiSet.zip  one ImageJ polygon ROI per object (imagejRoi.ts), for Fiji's ROI Manager (up to 65535 objects)
 */

/** Everything known about one image at export time; files are written for what is present. */
export interface ExportRequest {
  /** Source file name (folders and extension are dropped) or the base name to use. */
  readonly name: string;
  readonly image: RasterImage;
  /** Foreground probability from the model. */
  readonly probability?: FloatPlane;
  /**
   * How objects are made from the probability (the same settings as `segment`); for EM cells
   * ('cells') the mask is the membrane (probability >= threshold), not the objects.
   * Without it: threshold + connected components (`threshold`, `components`).
   */
  readonly postProcessing?: PostProcessing;
  /** Threshold for mask and instances without `postProcessing`; default 0.5. */
  readonly threshold?: number;
  /** Connectivity and minimum size when instances are computed here without `postProcessing`. */
  readonly components?: ComponentOptions;
  /** Instances the app already computed (then they are not computed again). */
  readonly instances?: Components;
  /** Their measurements, when already computed (else measured here on the image's channel mean). */
  readonly measurements?: readonly ObjectMeasurement[];
  readonly painted?: LabelCanvas;
  /** Preview background contrast; default auto (percentiles). */
  readonly display?: DisplaySettings;
  /** Opacity of the instance colours in the preview (0..1); default 0.45. */
  readonly overlayOpacity?: number;
}

/** Above this many objects an export has no NAME_RoiSet.zip (the labels file is a 32-bit TIFF then). */
export const MAX_ROI_OBJECTS = 65535;

/** One file to save or to put into the ZIP. */
export interface ExportFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** "folder/cells 01.ome.tif" -> "cells 01": no folders, no image extension, no characters file systems reject. */
export function exportBaseName(fileName: string): string {
  const leaf = fileName.split(/[\\/]/).pop() ?? fileName;
  const stem = leaf.replace(/(\.ome)?\.(tiff?|png|jpe?g|gif|bmp|webp)$/i, '');
  const safe = [...stem].map((ch) => (ch.charCodeAt(0) < 32 || '<>:"|?*'.includes(ch) ? '_' : ch)).join('').trim();
  return safe.length > 0 ? safe : 'image';
}

function checkDims(what: string, w: number, h: number, image: RasterImage): void {
  if (w !== image.width || h !== image.height) {
    throw new RangeError(`${what} is ${w}x${h} but the image is ${image.width}x${image.height}`);
  }
}

/** Builds the export files of one image. */
export function exportFiles(req: ExportRequest): ExportFile[] {
  const { image } = req;
  const { width, height } = image;
  const base = exportBaseName(req.name);
  const files: ExportFile[] = [];
  let instances = req.instances;
  if (req.probability) checkDims('the probability map', req.probability.width, req.probability.height, image);
  if (instances) checkDims('the instance labels', instances.width, instances.height, image);
  if (req.painted) checkDims('the painted labels', req.painted.width, req.painted.height, image);
  if (!instances && req.probability) {
    instances = req.postProcessing
      ? objectsFromProbability(req.probability.data, width, height, req.postProcessing)
      : thresholdComponents(req.probability.data, width, height, req.threshold ?? 0.5, req.components);
  }
  if (instances) {
    const membrane = req.postProcessing?.objects === 'cells' ? req.probability : undefined;
    const mask = membrane ? maskFromProbability(membrane.data, req.postProcessing?.threshold) : instances.labels;
    files.push({ name: `${base}_mask.png`, bytes: encodeMaskPng(mask, width, height) });
    const labels = encodeLabels(instances.labels, width, height);
    files.push({ name: `${base}_labels.${labels.extension}`, bytes: labels.bytes });
  }
  if (req.probability) files.push({ name: `${base}_prob.png`, bytes: encodeProbabilityPng(req.probability.data, width, height) });
  const preview = renderPreview(image, instances, req.display, req.overlayOpacity);
  files.push({ name: `${base}_preview.png`, bytes: encodeRgbaPng(preview, width, height) });
  if (req.painted) files.push({ name: `${base}_painted.png`, bytes: encodeGrey8Png(req.painted.data, width, height) });
  if (instances) {
    const rows = req.measurements ?? measureObjects(instances.labels, width, height, toSingleChannel(image, 'mean').data);
    // The CSV is ASCII (numbers, commas, the header), so its char codes are its UTF-8 bytes.
    files.push({ name: `${base}_objects.csv`, bytes: Uint8Array.from(measurementsCsv(rows), (c) => c.charCodeAt(0)) });
    // Beyond 16-bit ids (a 32-bit labels TIFF) a RoiSet takes tens of seconds and no ROI Manager copes with it.
    if (instances.count <= MAX_ROI_OBJECTS) files.push({ name: `${base}_RoiSet.zip`, bytes: roiSetZip(instances.labels, width, height) });
  }
  return files;
}

/**
 * The preview: image in grey (or colour for RGB) with each object filled in its palette colour at
 * `opacity` and its outline (object pixels with a 4-neighbour outside the object) fully coloured.
 */
export function renderPreview(
  image: RasterImage,
  instances: Components | undefined,
  display?: DisplaySettings,
  opacity = 0.45,
): Uint8ClampedArray {
  const settings = display ?? { range: autoRange(image), channel: image.channels === 1 ? 0 : 'mean' };
  const rgba = renderToRgba(image, settings);
  if (!instances || instances.count === 0) return rgba;
  const { width, height, labels } = instances;
  const colours = instanceColorTable(instances.count);
  const a = Math.min(1, Math.max(0, opacity));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const id = labels[i];
      if (id === 0) continue;
      const edge =
        x === 0 || y === 0 || x === width - 1 || y === height - 1 ||
        labels[i - 1] !== id || labels[i + 1] !== id || labels[i - width] !== id || labels[i + width] !== id;
      const k = edge ? 1 : a;
      const o = i * 4;
      for (let c = 0; c < 3; c++) rgba[o + c] = rgba[o + c] * (1 - k) + colours[id * 3 + c] * k;
    }
  }
  return rgba;
}

/**
 * Packs files into a ZIP (fflate). Already-compressed PNG/TIFF are stored, not deflated again.
 * Duplicate names (two images called the same in different folders) get "-2", "-3", ... before the
 * extension so nothing is silently overwritten.
 */
export function exportZip(files: readonly ExportFile[]): Uint8Array {
  const zippable: Zippable = {};
  const used = new Set<string>();
  for (const f of files) {
    let name = f.name;
    for (let k = 2; used.has(name); k++) name = f.name.replace(/(\.[^./]*)?$/, (ext) => `-${k}${ext}`);
    used.add(name);
    const stored = /\.(png|tiff?|zip)$/i.test(name);
    zippable[name] = [f.bytes, { level: stored ? 0 : 6 }];
  }
  return zipSync(zippable);
}
