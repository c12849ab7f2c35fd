/*
 * Which rows of a long table to put in the DOM. A page of 100 measurement rows (1,400 elements) cost a
 * 100-170 ms render and a 115 ms layout on the main thread when a segmentation's objects arrived; only the
 * rows in the scroll box (plus a margin) are rendered, with spacers for the rest, so the work is bounded by
 * the box's height, not by the page.
 */

/** Rows rendered beyond each edge of the box, so a scroll of a few rows shows no gap before it re-renders. */
export const OVERSCAN = 8;

/** Rows rendered before the box's height is known: more than it shows (16rem of ~18 px rows), a window's worth. */
export const FIRST_WINDOW = 32;

export interface RowWindow {
  /** First rendered row. */
  readonly start: number;
  /** One past the last rendered row. */
  readonly end: number;
  /** Heights (px) of the spacers standing in for the rows above and below. */
  readonly before: number;
  readonly after: number;
}

/**
 * The rows to render of `total` rows of `rowHeight` px in a box `viewHeight` px high scrolled to
 * `scrollTop`; `viewHeight` null (not measured yet) renders the first FIRST_WINDOW.
 */
export function rowWindow(total: number, scrollTop: number, viewHeight: number | null, rowHeight: number, overscan = OVERSCAN): RowWindow {
  if (total <= 0) return { start: 0, end: 0, before: 0, after: 0 };
  const h = rowHeight > 0 ? rowHeight : 1;
  if (viewHeight === null) {
    const end = Math.min(total, FIRST_WINDOW);
    return { start: 0, end, before: 0, after: (total - end) * h };
  }
  const first = Math.min(total - 1, Math.max(0, Math.floor(scrollTop / h)));
  const start = Math.max(0, first - overscan);
  const end = Math.min(total, first + Math.ceil(viewHeight / h) + 1 + overscan);
  return { start, end, before: start * h, after: (total - end) * h };
}

/**
 * Width of each column in characters: its longest cell (or its header and sort mark), so that columns keep
 * their width while other rows scroll in (tabular digits are one `ch` wide).
 */
export function columnChars(cells: readonly (readonly string[])[], headers: readonly string[]): number[] {
  // The header's sort mark (' ▲') takes two more characters.
  const widths = headers.map((h) => h.length + 2);
  for (const row of cells) for (let c = 0; c < widths.length; c++) widths[c] = Math.max(widths[c], row[c]?.length ?? 0);
  return widths;
}
