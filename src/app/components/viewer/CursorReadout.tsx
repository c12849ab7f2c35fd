import { useStudio } from '../../../state/store';

/** x, y, raw value, probability, instance id and painted class under the cursor. */
export function CursorReadout() {
  const cursor = useStudio((s) => s.cursor);
  const classes = useStudio((s) => s.classes);
  if (!cursor) return null;
  const label = cursor.label === 1 ? classes[0].name : cursor.label === 2 ? classes[1].name : null;
  return (
    <div className="readout" data-testid="cursor-readout">
      <span>
        x <b>{cursor.x}</b> y <b>{cursor.y}</b>
      </span>
      <span>
        value <b data-testid="readout-value">{cursor.value}</b>
      </span>
      {cursor.probability !== null && (
        <span>
          p <b data-testid="readout-probability">{cursor.probability.toFixed(3)}</b>
        </span>
      )}
      {cursor.instance !== null && (
        <span>
          object <b data-testid="readout-instance">{cursor.instance === 0 ? '–' : cursor.instance}</b>
        </span>
      )}
      {label && (
        <span>
          painted <b>{label}</b>
        </span>
      )}
    </div>
  );
}
