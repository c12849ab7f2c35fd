/// <reference lib="webworker" />
/**
 * The image worker: decodes files, makes thumbnails, recomputes objects when post-processing settings
 * change, scores against ground truth and encodes exports, so the
 * main thread never stalls on a 4096x4096 TIFF or a ZIP of 50 PNGs. JPEG (and GIF/BMP/WebP) are decoded
 * by the browser here with createImageBitmap + OffscreenCanvas, since src/image has no DOM.
 */
import { groundTruthProblem, scoreProbabilities } from '../image/evaluation';
import { computeImageObjects } from '../image/imageObjects';
import { decodeImage, isImageDecodeError, ImageDecodeError, needsBrowserDecoder, rasterFromRgba } from '../image/decode';
import { autoRange, renderToRgba } from '../image/display';
import { exportFiles, exportZip } from '../image/export';
import { packLabels } from '../image/labelCodec';
import { instancesRgba, probabilityRgba } from '../image/overlayRgba';
import type { RasterImage } from '../image/types';
import type { DecodedPage, ImageCommand, ImageParams, ImageRequest, ImageResponse, ImageResult, ImageWorkerError } from './decodeProtocol';

declare const self: DedicatedWorkerGlobalScope;

async function decodeWithBrowser(bytes: Uint8Array, name: string): Promise<RasterImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]), {
      colorSpaceConversion: 'none',
      premultiplyAlpha: 'none',
    });
  } catch {
    throw new ImageDecodeError('corrupt', name, 'the browser could not decode this image (damaged or truncated file?)');
  }
  const { width, height } = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new ImageDecodeError('unsupported', name, 'this browser cannot decode images in a worker');
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  return rasterFromRgba(width, height, ctx.getImageData(0, 0, width, height).data);
}

/** Box-averaged downscale (longest side <= size) as a float raster: small nuclei stay visible. */
function shrink(image: RasterImage, size: number): RasterImage {
  const scale = Math.min(1, size / Math.max(image.width, image.height));
  const w = Math.max(1, Math.round(image.width * scale));
  const h = Math.max(1, Math.round(image.height * scale));
  const ch = image.channels;
  const sum = new Float32Array(w * h * ch);
  const count = new Float32Array(w * h);
  for (let y = 0; y < image.height; y++) {
    const ty = Math.min(h - 1, Math.floor(y * scale));
    for (let x = 0; x < image.width; x++) {
      const t = ty * w + Math.min(w - 1, Math.floor(x * scale));
      count[t]++;
      for (let c = 0; c < ch; c++) sum[t * ch + c] += image.data[(y * image.width + x) * ch + c];
    }
  }
  for (let t = 0; t < w * h; t++) for (let c = 0; c < ch; c++) sum[t * ch + c] /= count[t] || 1;
  return { width: w, height: h, channels: ch, bitDepth: 32, data: sum };
}

async function thumbnail(image: RasterImage, size: number): Promise<Blob | null> {
  try {
    const small = shrink(image, size);
    const channel = small.channels >= 3 ? 'rgb' : 0;
    const rgba = renderToRgba(small, { range: autoRange(small, channel === 'rgb' ? 'mean' : 0), channel });
    const canvas = new OffscreenCanvas(small.width, small.height);
    const ctx = canvas.getContext('2d');
    if (!ctx) return null;
    ctx.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, small.width, small.height), 0, 0);
    return await canvas.convertToBlob({ type: 'image/png' });
  } catch {
    return null;
  }
}

async function decode(params: ImageParams<'decode'>): Promise<ImageResult<'decode'>> {
  const bytes = new Uint8Array(await params.file.arrayBuffer());
  const rasters =
    bytes.length > 0 && needsBrowserDecoder(bytes) ? [await decodeWithBrowser(bytes, params.name)] : decodeImage(bytes, params.name).pages;
  if (rasters.length === 0) throw new ImageDecodeError('corrupt', params.name, 'the file holds no image pages');
  const pages: DecodedPage[] = [];
  for (const raster of rasters) pages.push({ raster, thumbnail: await thumbnail(raster, params.thumbnailSize) });
  return { pages };
}

function bitmapOf(rgba: Uint8ClampedArray<ArrayBuffer>, width: number, height: number): Promise<ImageBitmap> {
  return createImageBitmap(new ImageData(rgba, width, height));
}

async function overlay(params: ImageParams<'overlay'>): Promise<ImageResult<'overlay'>> {
  const { width, height } = params;
  if (params.kind === 'probability') return { bitmaps: [await bitmapOf(probabilityRgba(params.probability), width, height)] };
  const { fill, outline } = instancesRgba(params.labels, params.count, width, height);
  return { bitmaps: await Promise.all([bitmapOf(fill, width, height), bitmapOf(outline, width, height)]) };
}

function evaluate(params: ImageParams<'evaluate'>): ImageResult<'evaluate'> {
  const { probability, width, height, truth, options } = params;
  const problem = groundTruthProblem(truth, width, height, options.task, options.labelsFormat, options.membraneValue);
  if (problem) throw Object.assign(new Error(problem), { name: 'GroundTruthError' });
  return { metrics: probability && scoreProbabilities(probability, truth, options) };
}

async function run(request: ImageRequest): Promise<{ result: ImageResult<ImageCommand>; transfer: Transferable[] }> {
  switch (request.type) {
    case 'decode': {
      const result = await decode(request.params);
      return { result, transfer: result.pages.map((p) => p.raster.data.buffer as ArrayBuffer) };
    }
    case 'objects': {
      const { probability, width, height, settings, intensity } = request.params;
      const result = computeImageObjects(probability, width, height, settings, intensity);
      return { result, transfer: [result.labels.buffer as ArrayBuffer, result.sizes.buffer as ArrayBuffer] };
    }
    case 'overlay': {
      const result = await overlay(request.params);
      return { result, transfer: result.bitmaps };
    }
    case 'evaluate':
      return { result: evaluate(request.params), transfer: [] };
    case 'export': {
      const files = exportFiles(request.params.request);
      return { result: { files }, transfer: files.map((f) => f.bytes.buffer as ArrayBuffer) };
    }
    case 'packLabels': {
      const packed = packLabels(request.params.data);
      return { result: { packed }, transfer: [packed.buffer as ArrayBuffer] };
    }
    case 'zip': {
      const bytes = exportZip(request.params.files);
      return { result: { bytes }, transfer: [bytes.buffer as ArrayBuffer] };
    }
  }
}

function describe(error: unknown): ImageWorkerError {
  if (isImageDecodeError(error)) return { name: error.name, message: error.message, code: error.code };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

self.onmessage = (event: MessageEvent<ImageRequest>) => {
  const request = event.data;
  run(request).then(
    ({ result, transfer }) => {
      const message = { type: 'ok', id: request.id, command: request.type, result } as ImageResponse;
      self.postMessage(message, [...new Set(transfer)]);
    },
    (error: unknown) => self.postMessage({ type: 'error', id: request.id, error: describe(error) } satisfies ImageResponse),
  );
};
