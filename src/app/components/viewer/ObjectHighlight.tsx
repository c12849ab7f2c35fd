import { useStudio } from '../../../state/store';
import { viewOf } from '../../../state/viewerSlice';
import { imageBoxToScreen } from '../../../state/viewMath';

/** The object picked in the measurement table, outlined over the viewer (its bounding box, 2 px out). */
export function ObjectHighlight() {
  const highlight = useStudio((s) => (s.highlight && s.highlight.imageId === s.selectedId ? s.highlight : null));
  // Primitives, not the view object: viewOf makes a new fitted view on every call until the user pans.
  const zoom = useStudio((s) => viewOf(s, s.selectedId)?.zoom ?? 0);
  const x = useStudio((s) => viewOf(s, s.selectedId)?.x ?? 0);
  const y = useStudio((s) => viewOf(s, s.selectedId)?.y ?? 0);
  if (!highlight || zoom === 0) return null;
  const view = { zoom, x, y };
  const box = imageBoxToScreen(view, highlight.box);
  return (
    <div
      className="object-highlight"
      style={{ left: box.x - 3, top: box.y - 3, width: box.width + 6, height: box.height + 6 }}
      data-testid="object-highlight"
      data-object-id={highlight.objectId}
      aria-hidden="true"
    />
  );
}
