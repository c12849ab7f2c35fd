import { useRef, useState } from 'react';
import { isKept } from '../../state/librarySlice';
import type { ModelEntry } from '../../state/modelSlice';
import { useStudio } from '../../state/store';
import type { LoadedModel } from '../../worker/protocol';
import { formatBytes } from '../formatBytes';

const row = { display: 'flex', flexWrap: 'wrap', gap: '0.25rem', alignItems: 'center' } as const;

function created(model: LoadedModel | undefined): string {
  const at = model?.tuning?.finishedAt ?? model?.card.createdAt;
  return at ? new Date(at).toLocaleString() : '—';
}

/** Where a model came from, in a few words. */
function parentText(entry: ModelEntry): string {
  if (entry.tuning) return `tuned from ${entry.tuning.parentName}`;
  if (entry.origin?.kind === 'imported') return `imported from ${entry.origin.from}`;
  if (entry.origin?.kind === 'copy') return `copy of ${entry.origin.from}`;
  return 'shipped';
}

/** One model of the library: its facts, and what may be done with it. */
function LibraryItem({ entry, selected }: { readonly entry: ModelEntry; readonly selected: boolean }) {
  const model = useStudio((s) => s.loaded[entry.id]);
  const busy = useStudio((s) => s.trainRun !== null);
  const loadModel = useStudio((s) => s.loadModel);
  const rename = useStudio((s) => s.renameModel);
  const duplicate = useStudio((s) => s.duplicateModel);
  const remove = useStudio((s) => s.deleteModel);
  const exportAs = useStudio((s) => s.exportModelAs);
  const [editing, setEditing] = useState(false);
  const kept = isKept(entry);
  const tuning = entry.tuning;

  return (
    <li className="library-item" data-testid="library-item" data-model-id={entry.id} data-name={entry.label} data-kept={kept} data-selected={selected} style={{ borderTop: '1px solid var(--line)', padding: '0.35rem 0' }}>
      <div style={row}>
        {editing ? (
          <input
            autoFocus
            defaultValue={entry.label}
            aria-label="Model name"
            data-testid="library-rename-input"
            onBlur={(e) => {
              rename(entry.id, e.currentTarget.value);
              setEditing(false);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') e.currentTarget.blur();
              if (e.key === 'Escape') setEditing(false);
              e.stopPropagation();
            }}
          />
        ) : (
          <b data-testid="library-name">{entry.label}</b>
        )}
        <span className="tag">{kept ? 'kept' : 'shipped'}</span>
        {selected && <span className="tag tag-seg">in use</span>}
      </div>
      <div className="muted tiny" data-testid="library-facts">
        {parentText(entry)} · created {created(model)}
        {model ? ` · ${model.card.trainedSteps} steps · ${formatBytes(model.parameters * 4)}` : ''}
        {tuning ? ` · tuned on ${tuning.images} image${tuning.images === 1 ? '' : 's'}` : ''}
        {tuning?.before && tuning.after ? ` · held-out IoU ${tuning.before.foregroundIou.toFixed(3)} → ${tuning.after.foregroundIou.toFixed(3)}` : ''}
      </div>
      <div style={row}>
        {!selected && (
          <button className="small-btn" onClick={() => void loadModel(entry.id)} data-testid="library-use">
            Use
          </button>
        )}
        {kept && (
          <button className="small-btn" onClick={() => setEditing(true)} data-testid="library-rename">
            Rename
          </button>
        )}
        <button className="small-btn" onClick={() => void duplicate(entry.id)} data-testid="library-duplicate" title="A kept copy with the same weights">
          Duplicate
        </button>
        {kept && (
          <button
            className="small-btn"
            disabled={busy}
            data-testid="library-delete"
            onClick={() => {
              if (window.confirm(`Delete the model "${entry.label}" from this session?`)) void remove(entry.id);
            }}
          >
            Delete
          </button>
        )}
        <button className="small-btn" onClick={() => void exportAs(entry.id, 'zip')} data-testid="library-export-zip" title="model.json, weights and model card in one ZIP (importable again)">
          ZIP
        </button>
        <button className="small-btn" onClick={() => void exportAs(entry.id, 'bioimageio')} data-testid="library-export-bioimageio" title="A bioimage.io model package, with the shown image as test input">
          bioimage.io
        </button>
      </div>
    </li>
  );
}

/** Shipped and kept models with their facts; import, rename, duplicate, delete and export. */
export function ModelLibrary() {
  const models = useStudio((s) => s.models);
  const modelId = useStudio((s) => s.modelId);
  const importing = useStudio((s) => s.importing);
  const importFiles = useStudio((s) => s.importModelFiles);
  const input = useRef<HTMLInputElement>(null);
  return (
    <details className="model-library" data-testid="model-library">
      <summary className="small">
        Model library <span className="count">{models.length}</span>
      </summary>
      <div style={row}>
        <button className="small-btn" onClick={() => input.current?.click()} disabled={importing !== null} data-testid="library-import" title="One ZIP (a model ZIP or a bioimage.io package), or model.json + weights + model-card.json together">
          {importing ? 'Importing…' : 'Import…'}
        </button>
        <input
          ref={input}
          type="file"
          multiple
          accept=".zip,.json,.bin"
          hidden
          data-testid="library-import-input"
          onChange={(e) => {
            const files = [...(e.currentTarget.files ?? [])];
            e.currentTarget.value = '';
            void importFiles(files);
          }}
        />
      </div>
      <ul className="library-list" style={{ listStyle: 'none', padding: 0, margin: '0.25rem 0' }}>
        {models.map((m) => (
          <LibraryItem key={m.id} entry={m} selected={m.id === modelId} />
        ))}
      </ul>
    </details>
  );
}
