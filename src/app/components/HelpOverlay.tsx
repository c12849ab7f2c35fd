import { useStudio } from '../../state/store';
import { SHORTCUTS } from '../shortcuts';
import { Icon } from './Icon';

/** The keyboard shortcuts (?), closed with Esc, the button or a click outside. */
export function HelpOverlay() {
  const open = useStudio((s) => s.helpOpen);
  const setOpen = useStudio((s) => s.setHelpOpen);
  const classes = useStudio((s) => s.classes);
  if (!open) return null;
  return (
    <div className="modal-backdrop" onMouseDown={() => setOpen(false)} data-testid="help-overlay">
      <div className="modal" role="dialog" aria-label="Keyboard shortcuts" onMouseDown={(e) => e.stopPropagation()}>
        <div className="row between">
          <h1>Keyboard shortcuts</h1>
          <button className="icon-button" aria-label="Close" onClick={() => setOpen(false)}>
            <Icon name="close" />
          </button>
        </div>
        <div className="help-grid">
          {SHORTCUTS.map((g) => (
            <section key={g.group}>
              <h3>{g.group}</h3>
              <table className="keys">
                <tbody>
                  {g.keys.map(([keys, what]) => (
                    <tr key={keys.join()}>
                      <td className="key-cell">
                        {keys.map((k) => (
                          <kbd key={k}>{k}</kbd>
                        ))}
                      </td>
                      <td>{what}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ))}
        </div>
        <p className="muted small">
          A finished stroke, fill or “accept prediction” is one undo step. Painted labels: 0 unlabelled (ignored by training), 1 {classes[0].name}, 2 {classes[1].name}.
        </p>
      </div>
    </div>
  );
}
