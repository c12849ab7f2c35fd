import { useEffect } from 'react';
import { useStudio } from '../../state/store';
import type { OverlayKind } from '../../state/viewerSlice';

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT') return true;
  // Sliders and checkboxes keep their arrow keys; letter shortcuts still work on them.
  return target.tagName === 'INPUT' && !['checkbox', 'radio', 'button', 'color'].includes((target as HTMLInputElement).type);
}

const overlayKeys: Record<string, OverlayKind> = { p: 'probability', o: 'outline', i: 'instances', l: 'labels' };
const toolKeys = { b: 'brush', e: 'eraser', g: 'fill', h: 'pan' } as const;

/** The app's keyboard shortcuts (listed in shortcuts.ts and the help overlay). */
export function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const s = useStudio.getState();
      if (e.key === 'Escape') {
        if (s.helpOpen) s.setHelpOpen(false);
        else if (s.segRun) s.cancelSegmentation();
        return;
      }
      if (isTyping(e.target)) return;
      const key = e.key.toLowerCase();
      if (e.ctrlKey || e.metaKey) {
        if (key === 'z' && !e.shiftKey) s.undo();
        else if ((key === 'z' && e.shiftKey) || key === 'y') s.redo();
        else return;
        e.preventDefault();
        return;
      }
      if (e.altKey) return;
      const range = e.target instanceof HTMLInputElement && e.target.type === 'range';
      let handled = true;
      if (e.key === '?') s.setHelpOpen(!s.helpOpen);
      else if ((e.key === 'ArrowUp' || e.key === 'PageUp') && !range) s.selectRelative(-1);
      else if ((e.key === 'ArrowDown' || e.key === 'PageDown') && !range) s.selectRelative(1);
      else if (e.key === '+' || e.key === '=') s.zoomSelected(1);
      else if (e.key === '-' || e.key === '_') s.zoomSelected(-1);
      else if (e.key === '0' || key === 'f') s.fitSelected();
      else if (e.key === '[') s.stepBrush(-1);
      else if (e.key === ']') s.stepBrush(1);
      else if (e.key === '1' || e.key === '2') s.setActiveClass(e.key === '1' ? 1 : 2);
      else if (key === 'x') s.setActiveClass(s.activeClass === 1 ? 2 : 1);
      else if (key in toolKeys) s.setTool(toolKeys[key as keyof typeof toolKeys]);
      else if (key in overlayKeys) s.toggleOverlay(overlayKeys[key]);
      else if (key === 's') void s.segmentShortcut(e.shiftKey ? 'all' : 'selected');
      else handled = false;
      if (handled) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
