import { TASK_CLASS_NAMES } from '../../../state/classNames';
import { isSegmented } from '../../../state/predictions';
import { useStudio } from '../../../state/store';
import { Section } from './Section';

/** The two classes (names and colours editable), painted pixel counts, and "accept prediction". */
export function LabelsPanel() {
  const classes = useStudio((s) => s.classes);
  const setClass = useStudio((s) => s.setClass);
  const activeClass = useStudio((s) => s.activeClass);
  const setActiveClass = useStudio((s) => s.setActiveClass);
  const stats = useStudio((s) => (s.selectedId ? s.labelStats[s.selectedId] : undefined));
  const segmented = useStudio((s) => isSegmented(s, s.selectedId));
  const accept = useStudio((s) => s.acceptPrediction);
  const defaults = TASK_CLASS_NAMES[useStudio((s) => s.model?.card.task ?? 'generic')];
  const counts = [stats?.background ?? 0, stats?.foreground ?? 0];

  return (
    <Section title="Painted labels" testId="labels-panel">
      <div className="classes" data-testid="label-counts" data-background={counts[0]} data-foreground={counts[1]} data-undo={stats?.undoDepth ?? 0} data-redo={stats?.redoDepth ?? 0}>
        {([1, 2] as const).map((v) => (
          <div key={v} className={`class-row${activeClass === v ? ' active' : ''}`}>
            <input type="color" value={classes[v - 1].color} onChange={(e) => setClass(v, { color: e.target.value })} aria-label={`Colour of class ${v}`} title="Colour" />
            <input
              type="text"
              value={classes[v - 1].name}
              onChange={(e) => setClass(v, { name: e.target.value })}
              onBlur={(e) => !e.target.value.trim() && setClass(v, { name: defaults[v - 1] })}
              aria-label={`Name of class ${v}`}
              data-testid={`class-name-${v}`}
            />
            <button className={activeClass === v ? 'active small-btn' : 'small-btn'} onClick={() => setActiveClass(v)} title={`Paint this class (${v})`}>
              {v}
            </button>
            <span className="num muted tiny">{counts[v - 1].toLocaleString()} px</span>
          </div>
        ))}
      </div>
      <p className="muted tiny">Eraser (E) sets pixels back to unlabelled; training ignores them.</p>
      <div className="field small">
        <span className="muted">Accept the prediction as labels</span>
        <div className="row">
          <button disabled={!segmented} onClick={() => accept('visible')} data-testid="accept-visible" title={`Where the model says ${classes[1].name} / ${classes[0].name}, in the part of the image on screen`}>
            Visible region
          </button>
          <button disabled={!segmented} onClick={() => accept('all')} data-testid="accept-all">
            Whole image
          </button>
        </div>
      </div>
    </Section>
  );
}
