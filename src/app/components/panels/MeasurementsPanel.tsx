import { useDeferredValue, useMemo, useState } from 'react';
import { measurementsCsv } from '../../../image/measure';
import { getPixels } from '../../../state/pixels';
import { pageOf, sortMeasurements, TABLE_COLUMNS, type TableSort } from '../../../state/objectTable';
import { currentInstances } from '../../../state/predictions';
import { useStudio } from '../../../state/store';
import { downloadBytes } from '../../files';
import { Icon } from '../Icon';
import { Section } from './Section';
import { MeasureTable } from './MeasureTable';
import { columnChars, rowWindow } from './tableWindow';
import { useTableScroll } from './useTableScroll';

/** Rows per page: an image with thousands of objects shows one page of them (and renders only the visible ones). */
const PAGE_SIZE = 100;

function formatCell(value: number, digits: number): string {
  return Number.isNaN(value) ? '' : value.toFixed(digits);
}

/**
 * The shown image's measurement table (src/image/measure.ts): sortable by any column, paged; a click on a
 * row pans and zooms the viewer to that object and outlines it. CSV downloads the whole table. Only the
 * rows in the scroll box are in the DOM (tableWindow.ts).
 */
export function MeasurementsPanel() {
  const id = useStudio((s) => s.selectedId);
  const instancesKey = useStudio((s) => (s.selectedId ? s.instances[s.selectedId]?.key : undefined));
  useStudio((s) => s.instancesVersion);
  const current = useStudio((s) => (s.selectedId ? currentInstances(s, s.selectedId) : null));
  const image = useStudio((s) => s.images.find((i) => i.id === s.selectedId));
  const highlight = useStudio((s) => s.highlight);
  const locate = useStudio((s) => s.locateObject);
  const [sort, setSort] = useState<TableSort>({ column: 'id', descending: false });
  const [page, setPage] = useState(0);
  // New rows render after the urgent update that brings them (a segmentation's result re-renders much of
  // the app at once), in React's background pass, which yields to the browser every few ms.
  const rows = useDeferredValue(current?.measurements);
  const sorted = useMemo(() => (rows ? sortMeasurements(rows, sort) : []), [rows, sort]);
  const shown = useMemo(() => pageOf(sorted, page, PAGE_SIZE), [sorted, page]);
  const cells = useMemo(() => shown.rows.map((r) => TABLE_COLUMNS.map((c) => formatCell(r[c.key], c.digits))), [shown]);
  const widths = useMemo(() => columnChars(cells, TABLE_COLUMNS.map((c) => c.label)), [cells]);
  const { box, scroll, onScroll, toTop } = useTableScroll(shown.rows.length > 0, '[data-testid="measure-row"]');
  const win = rowWindow(shown.rows.length, scroll.top, scroll.height, scroll.rowHeight);

  if (!id || !image) return null;
  const toggleSort = (column: TableSort['column']) => {
    setSort((s) => ({ column, descending: s.column === column ? !s.descending : false }));
    setPage(0);
    toTop();
  };
  const toPage = (p: number) => {
    setPage(p);
    toTop();
  };
  const downloadCsv = () => {
    const measurements = getPixels(id)?.instances?.measurements;
    if (!measurements) return;
    const csv = measurementsCsv(measurements);
    downloadBytes(`${image.exportName}_objects.csv`, new TextEncoder().encode(csv), 'text/csv');
  };

  return (
    <Section title="Measurements" testId="measurements-panel" aside={rows && <span className="muted tiny">{rows.length.toLocaleString()} rows</span>}>
      {!rows ? (
        <p className="muted small">{instancesKey ? 'Measuring…' : 'Segment the image to measure its objects.'}</p>
      ) : (
        <>
          <div className="table-scroll" ref={box} onScroll={onScroll}>
            <MeasureTable
              rows={shown.rows}
              cells={cells}
              widths={widths}
              win={win}
              totalRows={rows.length}
              page={shown.page}
              sort={sort}
              onSort={toggleSort}
              onLocate={(objectId) => locate(id, objectId)}
              selectedId={highlight?.imageId === id ? highlight.objectId : null}
            />
          </div>
          <div className="row small">
            <button className="small-btn" disabled={shown.page === 0} onClick={() => toPage(shown.page - 1)} data-testid="measure-prev" aria-label="Previous page">
              ‹
            </button>
            <span className="muted" data-testid="measure-page">
              page {shown.page + 1} of {shown.pages}
            </span>
            <button className="small-btn" disabled={shown.page >= shown.pages - 1} onClick={() => toPage(shown.page + 1)} data-testid="measure-next" aria-label="Next page">
              ›
            </button>
            <button className="small-btn" onClick={downloadCsv} data-testid="measure-csv" title={`${image.exportName}_objects.csv: the whole table, as npm run segment --csv writes it`}>
              <Icon name="download" /> CSV
            </button>
          </div>
        </>
      )}
    </Section>
  );
}
