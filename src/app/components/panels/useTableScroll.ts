import { useEffect, useRef, useState } from 'react';

/** A row's height before one is measured (0.75rem text and padding). */
const ROW_HEIGHT_GUESS = 18;

/** Where the table's scroll box stands: its scroll offset, its height and a row's height (null until laid out). */
export interface TableScroll {
  readonly top: number;
  readonly height: number | null;
  readonly rowHeight: number;
}

/**
 * The scroll box of a windowed table: its ref, where it stands, the scroll handler and a jump to the top.
 * The box's and a row's height are read when the browser has laid them out (a ResizeObserver reports after
 * layout; reading them during React's commit forced a ~40 ms layout of the whole page).
 */
export function useTableScroll(hasRows: boolean, rowSelector: string) {
  const [scroll, setScroll] = useState<TableScroll>({ top: 0, height: null, rowHeight: ROW_HEIGHT_GUESS });
  const box = useRef<HTMLDivElement | null>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || !hasRows) return;
    const observer = new ResizeObserver(() => {
      const row = el.querySelector<HTMLElement>(rowSelector);
      const rowHeight = row?.getBoundingClientRect().height || ROW_HEIGHT_GUESS;
      setScroll((s) => (s.height === el.clientHeight && s.rowHeight === rowHeight ? s : { ...s, height: el.clientHeight, rowHeight }));
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [hasRows, rowSelector]);
  const onScroll = (e: React.UIEvent<HTMLDivElement>) => {
    const el = e.currentTarget;
    setScroll((s) => ({ ...s, top: el.scrollTop, height: el.clientHeight }));
  };
  const toTop = () => {
    if (box.current) box.current.scrollTop = 0;
    setScroll((s) => ({ ...s, top: 0 }));
  };
  return { box, scroll, onScroll, toTop };
}
