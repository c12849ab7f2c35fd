import { useStudio } from '../../../state/store';
import { overlayKinds, type OverlayKind } from '../../../state/viewerSlice';
import { Icon } from '../Icon';
import { Section } from './Section';

/** Labels, shortcuts and descriptions; the descriptions name the painted classes (they follow the model's task). */
function overlayNames(classes: readonly [string, string]): Record<OverlayKind, { label: string; key: string; what: string }> {
  return {
    probability: { label: 'Probability', key: 'P', what: `Probability of ${classes[1]} from the model (violet low, orange high)` },
    outline: { label: 'Outline', key: 'O', what: 'Contours of the objects (as the Objects panel makes them)' },
    instances: { label: 'Objects', key: 'I', what: 'Each object in its own colour' },
    labels: { label: 'Labels', key: 'L', what: `Your painted ${classes[0]} / ${classes[1]} labels` },
  };
}

/** Visibility and opacity of each overlay. */
export function OverlaysPanel() {
  const overlays = useStudio((s) => s.overlays);
  const setOverlay = useStudio((s) => s.setOverlay);
  const toggle = useStudio((s) => s.toggleOverlay);
  const classes = useStudio((s) => s.classes);
  const names = overlayNames([classes[0].name, classes[1].name]);
  return (
    <Section title="Overlays" testId="overlays-panel">
      {overlayKinds.map((kind) => {
        const o = overlays[kind];
        return (
          <div key={kind} className={`overlay-row${o.visible ? '' : ' off'}`}>
            <button
              className="icon-button"
              aria-pressed={o.visible}
              aria-label={`Show ${names[kind].label}`}
              title={`${o.visible ? 'Hide' : 'Show'} (${names[kind].key})`}
              onClick={() => toggle(kind)}
              data-testid={`overlay-${kind}`}
            >
              <Icon name={o.visible ? 'eye' : 'eyeOff'} />
            </button>
            <span className="overlay-name small" title={names[kind].what}>
              {names[kind].label}
            </span>
            <input
              type="range"
              min={0}
              max={1}
              step={0.05}
              value={o.opacity}
              onChange={(e) => setOverlay(kind, { opacity: Number(e.target.value), visible: true })}
              aria-label={`${names[kind].label} opacity`}
            />
            <span className="num tiny muted">{Math.round(o.opacity * 100)}%</span>
          </div>
        );
      })}
    </Section>
  );
}
