import type { StateCreator } from 'zustand';
import type { ExportFile, ExportRequest } from '../image/export';
import { getImageWorker } from './imageWorker';
import { getPixels } from './pixels';
import { instancesKey } from './keys';
import { exportPrediction, imageSettings, objectSettings, predictionSettings } from './predictions';
import type { StudioState } from './store';

/** A file ready to download. */
export interface Download {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface ExportSlice {
  exporting: { readonly done: number; readonly total: number } | null;
  /**
   * Encodes the export files of each image in the image worker (mask, labels, prob, preview, painted,
   * the objects' CSV and ImageJ RoiSet),
   * each exactly the image's size. Images without a prediction get only preview (and painted) files.
   * With `zip`, returns one archive: "NAME.zip" for one image, "unet-studio-export.zip" for several;
   * otherwise the loose files.
   */
  exportImages(ids: readonly string[], zip: boolean): Promise<Download[]>;
}

export const initialExportState = { exporting: null as ExportSlice['exporting'] };

export const createExportSlice: StateCreator<StudioState, [], [], ExportSlice> = (set, get) => ({
  ...initialExportState,

  async exportImages(ids, zip) {
    if (get().exporting) {
      get().notify('info', 'An export is already running.');
      return [];
    }
    // What is painted is in storage before the export starts (awaited: the label write must not queue in the
    // image worker behind the export's own work), so a reload during the export loses nothing.
    await get().flushSession();
    const files: ExportFile[] = [];
    const unsegmented: string[] = [];
    const otherModel: string[] = [];
    set({ exporting: { done: 0, total: ids.length } });
    try {
      for (const id of ids) {
        const state = get();
        const image = state.images.find((i) => i.id === id);
        const px = getPixels(id);
        if (!image || !px) continue;
        state.setStatus(`Exporting ${image.name}…`);
        // Every segmented image is exported with its own result, whichever model is selected now.
        const prediction = exportPrediction(state, id);
        const probability = prediction?.data ?? null;
        if (!prediction) unsegmented.push(image.name);
        else if (!prediction.current) otherModel.push(image.name);
        const display = state.display[id];
        const hasPaint = (state.labelStats[id]?.background ?? 0) + (state.labelStats[id]?.foreground ?? 0) > 0;
        // Objects as the model that made the result makes them (its settings, not those of the image's model
        // now); objects already counted for this very prediction and settings are reused, not computed again.
        const settings = prediction ? predictionSettings(state, id, prediction.key) : imageSettings(state, id);
        const known = prediction && settings && px.instances?.key === instancesKey(prediction.key, settings) ? px.instances : null;
        const request: ExportRequest = {
          name: image.exportName,
          image: px.raster,
          probability: probability ? { width: image.width, height: image.height, data: probability } : undefined,
          ...(known
            ? { instances: { width: image.width, height: image.height, labels: known.labels, count: known.count, sizes: known.sizes }, measurements: known.measurements }
            : {}),
          ...(settings ? { postProcessing: prediction ? objectSettings(settings, id, prediction.key) : settings } : {}),
          painted: hasPaint && px.labels ? px.labels : undefined,
          display: display && { range: display.range, invert: display.invert, channel: display.channel },
          overlayOpacity: state.overlays.instances.opacity,
        };
        const result = await getImageWorker().call('export', { request });
        files.push(...result.files);
        set((s) => ({ exporting: s.exporting && { ...s.exporting, done: s.exporting.done + 1 } }));
      }
      const list = (names: readonly string[]) => (names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`);
      if (unsegmented.length > 0) {
        get().notify('warning', `Not segmented yet, so exported without mask, labels and probability: ${list(unsegmented)}.`);
      }
      if (otherModel.length > 0) {
        get().notify('info', `Exported with the result of the model they were last segmented with (their chosen model has not run on them): ${list(otherModel)}.`);
      }
      get().markSaved(ids);
      if (!zip) {
        get().setStatus(`Exported ${files.length} file${files.length === 1 ? '' : 's'}.`);
        return files;
      }
      get().setStatus(`Packing ${files.length} files into a ZIP…`);
      const { bytes } = await getImageWorker().call('zip', { files }, files.map((f) => f.bytes.buffer as ArrayBuffer));
      get().setStatus(`Exported ${ids.length} image${ids.length === 1 ? '' : 's'} (${files.length} files) as a ZIP.`);
      const single = ids.length === 1 ? get().images.find((i) => i.id === ids[0]) : undefined;
      return [{ name: single ? `${single.exportName}.zip` : 'unet-studio-export.zip', bytes }];
    } catch (error) {
      get().notify('error', `Export failed: ${error instanceof Error ? error.message : String(error)}`);
      return [];
    } finally {
      set({ exporting: null });
    }
  },
});
