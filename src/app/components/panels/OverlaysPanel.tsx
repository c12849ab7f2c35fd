import { useStudio } from '../../../state/store';
import { overlayKinds, type OverlayKind } from '../../../state/viewerSlice';
import { Icon } from '../Icon';
import { Section } from './Section';

const names: Record<OverlayKind, { label: string; key: string }> = {
  probability: { label: 'Probability', key: 'P' },
  outline: { label: 'Mask outline', key: 'O' },
  instances: { label: 'Objects (colours)', key: 'I' },
  labels: { label: 'Painted labels', key: 'L' },
};

/** Visibility and opacity of each overlay. */
export function OverlaysPanel() {
  const overlays = useStudio((s) => s.overlays);
  const setOverlay = useStudio((s) => s.setOverlay);
  const toggle = useStudio((s) => s.toggleOverlay);
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
            <span className="overlay-name small">{names[kind].label}</span>
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
