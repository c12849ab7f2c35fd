import { useStudio } from '../../../state/store';
import { downloadBytes } from '../../files';
import { Icon } from '../Icon';
import { Section } from './Section';

const mime = (name: string) => (name.endsWith('.zip') ? 'application/zip' : name.endsWith('.png') ? 'image/png' : 'image/tiff');

/** Export of the shown image or of all images, each as one ZIP (one download, no browser prompt for several files). */
export function ExportPanel() {
  const images = useStudio((s) => s.images);
  const selectedId = useStudio((s) => s.selectedId);
  const exporting = useStudio((s) => s.exporting);
  const exportImages = useStudio((s) => s.exportImages);
  const classes = useStudio((s) => s.classes);
  const image = images.find((i) => i.id === selectedId);

  const run = async (ids: string[], zip: boolean) => {
    const files = await exportImages(ids, zip);
    for (const f of files) downloadBytes(f.name, f.bytes, mime(f.name));
  };

  return (
    <Section title="Export" testId="export-panel">
      <p className="muted tiny export-names">
        {image ? (
          <>
            <code>{image.exportName}_mask.png</code>, <code>_labels.png</code> (16-bit ids), <code>_prob.png</code>, <code>_preview.png</code>,{' '}
            <code>_painted.png</code> (0 unlabelled, 1 {classes[0].name}, 2 {classes[1].name}) — all {image.width}×{image.height} — and the
            objects as <code>_objects.csv</code> and an ImageJ <code>_RoiSet.zip</code>.
          </>
        ) : (
          'Masks, instance labels, probabilities, a colour preview and painted labels as PNG; the objects as CSV and an ImageJ RoiSet.'
        )}
      </p>
      <div className="row">
        <button className="grow" disabled={!image || exporting !== null} onClick={() => image && void run([image.id], true)} data-testid="export-current">
          <Icon name="download" /> This image
        </button>
        <button className="grow" disabled={images.length === 0 || exporting !== null} onClick={() => void run(images.map((i) => i.id), true)} data-testid="export-zip">
          <Icon name="download" /> All as ZIP
        </button>
      </div>
      {exporting && (
        <div className="small" data-testid="export-progress">
          Encoding {Math.min(exporting.done + 1, exporting.total)} of {exporting.total}…
          <progress value={exporting.done} max={exporting.total} />
        </div>
      )}
    </Section>
  );
}
