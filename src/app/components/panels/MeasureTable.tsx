import type { ObjectMeasurement } from '../../../image/measure';
import { TABLE_COLUMNS, type TableSort } from '../../../state/objectTable';
import type { RowWindow } from './tableWindow';

interface MeasureTableProps {
  /** The page's rows, sorted; only those in `win` are rendered. */
  readonly rows: readonly ObjectMeasurement[];
  /** Formatted cells of `rows`, one array per row in column order. */
  readonly cells: readonly (readonly string[])[];
  /** Column widths in characters (the page's longest cell), so widths do not jump while scrolling. */
  readonly widths: readonly number[];
  readonly win: RowWindow;
  readonly totalRows: number;
  readonly page: number;
  readonly sort: TableSort;
  readonly onSort: (column: TableSort['column']) => void;
  readonly onLocate: (objectId: number) => void;
  readonly selectedId: number | null;
}

/** A spacer row standing for `height` px of rows that are not rendered. */
function Spacer({ height }: { height: number }) {
  return height > 0 ? (
    <tr className="measure-spacer" aria-hidden style={{ height }}>
      <td colSpan={TABLE_COLUMNS.length} />
    </tr>
  ) : null;
}

/** The measurement table: a sortable header and the rows in the scroll box's window between spacers. */
export function MeasureTable({ rows, cells, widths, win, totalRows, page, sort, onSort, onLocate, selectedId }: MeasureTableProps) {
  return (
    <table className="measure-table" data-testid="measure-table" data-rows={totalRows} data-page={page} data-window={`${win.start}-${win.end}`} aria-rowcount={rows.length + 1}>
      <thead>
        <tr>
          {TABLE_COLUMNS.map((c, k) => (
            <th
              key={c.key}
              style={{ width: `${widths[k]}ch` }}
              scope="col"
              aria-sort={sort.column === c.key ? (sort.descending ? 'descending' : 'ascending') : 'none'}
              onClick={() => onSort(c.key)}
              data-testid={`sort-${c.key}`}
            >
              {c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        <Spacer height={win.before} />
        {rows.slice(win.start, win.end).map((r, i) => (
          <tr key={r.id} onClick={() => onLocate(r.id)} aria-selected={selectedId === r.id} data-testid="measure-row" data-id={r.id} aria-rowindex={win.start + i + 2}>
            {TABLE_COLUMNS.map((c, k) => (
              <td key={c.key} data-col={c.key} data-value={r[c.key]}>
                {cells[win.start + i][k]}
              </td>
            ))}
          </tr>
        ))}
        <Spacer height={win.after} />
      </tbody>
    </table>
  );
}
