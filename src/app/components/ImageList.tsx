import { memo } from 'react';
import type { ImageEntry } from '../../state/imagesSlice';
import { currentInstancesKey, isSegmented } from '../../state/predictions';
import { useStudio } from '../../state/store';
import { Icon } from './Icon';
import { OpenButtons } from './OpenButtons';

function kind(image: ImageEntry): string {
  const colour = image.channels === 1 ? 'grey' : image.channels === 3 ? 'RGB' : 'RGBA';
  const depth = image.bitDepth === 32 ? '32-bit float' : `${image.bitDepth}-bit`;
  return `${depth} ${colour}`;
}

const Item = memo(function Item({ image, selected }: { readonly image: ImageEntry; readonly selected: boolean }) {
  const select = useStudio((s) => s.selectImage);
  const remove = useStudio((s) => s.removeImage);
  const stats = useStudio((s) => s.labelStats[image.id]);
  const segmented = useStudio((s) => isSegmented(s, image.id));
  const running = useStudio((s) => s.segRun?.id === image.id);
  const objects = useStudio((s) => {
    const summary = s.instances[image.id];
    return summary && summary.key === currentInstancesKey(s, image.id) ? summary.count : null;
  });
  // A shipped model by its card's short name ("nuclei", "em-membranes"); a kept one by its library name.
  const modelLabel = useStudio((s) => {
    const entry = image.modelId ? s.models.find((m) => m.id === image.modelId) : undefined;
    if (!entry) return null;
    return entry.source.kind === 'session' ? entry.label : (s.loaded[entry.id]?.card.name ?? entry.label);
  });
  const labelled = (stats?.background ?? 0) + (stats?.foreground ?? 0) > 0;

  const onRemove = (e: React.MouseEvent) => {
    e.stopPropagation();
    if (stats?.edited && labelled && !window.confirm(`${image.name} has painted labels that were not exported. Remove it anyway?`)) return;
    remove(image.id);
  };

  return (
    <li
      className={`image-item${selected ? ' selected' : ''}`}
      role="option"
      aria-selected={selected}
      data-testid="image-item"
      data-id={image.id}
      data-name={image.name}
      onClick={() => select(image.id)}
      title={`${image.path}\n${image.width}×${image.height}, ${kind(image)}${image.pageCount > 1 ? `, page ${image.page} of ${image.pageCount}` : ''}`}
    >
      <div className="thumb">{image.thumbnailUrl ? <img src={image.thumbnailUrl} alt="" draggable={false} /> : <span className="muted">?</span>}</div>
      <div className="item-text">
        <div className="item-name">{image.name}</div>
        <div className="item-meta muted">
          {image.width}×{image.height} · {kind(image)}
          {objects !== null && ` · ${objects} obj`}
        </div>
        <div className="badges">
          {modelLabel && (
            <span className="tag" data-testid="badge-model" data-model-id={image.modelId ?? ''} title="The model this image is segmented with (choose it in the Model panel while the image is shown)">
              {modelLabel}
            </span>
          )}
          {running && <span className="tag tag-run">segmenting…</span>}
          {segmented && (
            <span className="tag tag-seg" data-testid="badge-segmented" title="Segmented with its model">
              segmented
            </span>
          )}
          {labelled && (
            <span className="tag tag-lab" data-testid="badge-labelled" title="Has painted labels">
              labelled
            </span>
          )}
          {stats?.edited && (
            <span className="tag tag-edit" data-testid="badge-edited" title="Labels painted since the last export">
              edited
            </span>
          )}
        </div>
      </div>
      <button className="icon-button remove" aria-label={`Remove ${image.name}`} title="Remove from the list" onClick={onRemove}>
        <Icon name="close" size={14} />
      </button>
    </li>
  );
});

/** The loaded images with thumbnails and status, plus open buttons and load progress. */
export function ImageList() {
  const images = useStudio((s) => s.images);
  const selectedId = useStudio((s) => s.selectedId);
  const loading = useStudio((s) => s.loading);
  return (
    <div className="image-pane">
      <div className="sidebar-head">
        <h2>
          Images <span className="count" data-testid="image-count">{images.length}</span>
        </h2>
      </div>
      <OpenButtons compact />
      {loading && (
        <div className="loading small" data-testid="loading">
          <span className="spinner" aria-hidden="true" /> Reading {loading.current} ({Math.min(loading.done + 1, loading.total)} of {loading.total})
          <progress value={loading.done} max={loading.total} />
        </div>
      )}
      {images.length === 0 && !loading ? (
        <p className="muted small empty-list">No images yet. Drop files or a folder anywhere on the window, or use the buttons above.</p>
      ) : (
        <ul className="image-list" role="listbox" aria-label="Loaded images" data-testid="image-list">
          {images.map((image) => (
            <Item key={image.id} image={image} selected={image.id === selectedId} />
          ))}
        </ul>
      )}
      {images.length > 1 && <p className="muted tiny hint">↑/↓ switch images</p>}
    </div>
  );
}
