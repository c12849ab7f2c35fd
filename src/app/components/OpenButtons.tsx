import { useEffect, useRef } from 'react';
import { useStudio } from '../../state/store';
import { sourcesFromFileList } from '../files';
import { Icon } from './Icon';

/** "Open images" (multiple files) and "Open folder" (every image inside, recursively). */
export function OpenButtons({ compact = false }: { readonly compact?: boolean }) {
  const files = useRef<HTMLInputElement>(null);
  const folder = useRef<HTMLInputElement>(null);
  const addFiles = useStudio((s) => s.addFiles);
  const notify = useStudio((s) => s.notify);

  useEffect(() => {
    folder.current?.setAttribute('webkitdirectory', '');
  }, []);

  const picked = (input: HTMLInputElement, isFolder: boolean) => {
    if (!input.files) return;
    const { sources, skipped } = sourcesFromFileList(input.files, isFolder);
    if (isFolder && sources.length === 0) notify('warning', 'That folder holds no PNG, TIFF or JPEG images.');
    else if (skipped > 0) notify('info', `Skipped ${skipped} non-image file${skipped === 1 ? '' : 's'} in the folder.`);
    void addFiles(sources);
    input.value = '';
  };

  return (
    <div className={`open-buttons${compact ? ' compact' : ''}`}>
      <button className={compact ? '' : 'primary'} onClick={() => files.current?.click()} data-testid="open-files">
        <Icon name="upload" /> {compact ? 'Open…' : 'Open images…'}
      </button>
      <button onClick={() => folder.current?.click()} data-testid="open-folder" title="Open every image in a folder (and its subfolders)">
        <Icon name="folder" /> Folder…
      </button>
      <input
        ref={files}
        type="file"
        multiple
        hidden
        accept=".png,.tif,.tiff,.jpg,.jpeg,.gif,.bmp,.webp,image/*"
        data-testid="file-input"
        onChange={(e) => picked(e.currentTarget, false)}
      />
      <input ref={folder} type="file" multiple hidden data-testid="folder-input" onChange={(e) => picked(e.currentTarget, true)} />
    </div>
  );
}
