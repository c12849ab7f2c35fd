import { useStudio } from '../../../state/store';
import { viewOf } from '../../../state/viewerSlice';
import { imageBoxToScreen } from '../../../state/viewMath';

/** The object picked in the measurement table, outlined over the viewer (its bounding box, 2 px out). */
export function ObjectHighlight() {
  const highlight = useStudio((s) => (s.highlight && s.highlight.imageId === s.selectedId ? s.highlight : null));
  const view = useStudio((s) => viewOf(s, s.selectedId));
  if (!highlight || !view) return null;
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
