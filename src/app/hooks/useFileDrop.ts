import { useEffect, useState } from 'react';
import { useStudio } from '../../state/store';
import { sourcesFromDrop } from '../files';

function hasFiles(e: DragEvent): boolean {
  return Boolean(e.dataTransfer && [...e.dataTransfer.types].includes('Files'));
}

/** Drag-and-drop of files and folders anywhere on the window; returns whether a drag is over it. */
export function useFileDrop(): boolean {
  const [over, setOver] = useState(false);
  useEffect(() => {
    let depth = 0;
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth++;
      setOver(true);
    };
    const overHandler = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const drop = (e: DragEvent) => {
      if (!e.dataTransfer || !hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setOver(false);
      const { addFiles, notify } = useStudio.getState();
      sourcesFromDrop(e.dataTransfer).then(
        ({ sources, skipped }) => {
          if (skipped > 0) notify('info', `Skipped ${skipped} file${skipped === 1 ? '' : 's'} in the dropped folder${skipped === 1 ? '' : 's'} that ${skipped === 1 ? 'is' : 'are'} not an image (PNG, TIFF, JPEG).`);
          if (sources.length === 0 && skipped > 0) notify('warning', 'The dropped folder holds no PNG, TIFF or JPEG images.');
          void addFiles(sources);
        },
        (error: unknown) => notify('error', `Could not read the dropped items: ${error instanceof Error ? error.message : String(error)}`),
      );
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', overHandler);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', overHandler);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, []);
  return over;
}
