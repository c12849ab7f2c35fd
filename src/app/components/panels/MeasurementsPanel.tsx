import { useMemo, useState } from 'react';
import { measurementsCsv } from '../../../image/measure';
import { getPixels } from '../../../state/pixels';
import { pageOf, sortMeasurements, TABLE_COLUMNS, type TableSort } from '../../../state/objectTable';
import { currentInstances } from '../../../state/predictions';
import { useStudio } from '../../../state/store';
import { downloadBytes } from '../../files';
import { Icon } from '../Icon';
import { Section } from './Section';

/** Rows rendered at once: an image with thousands of objects shows one page of them. */
const PAGE_SIZE = 100;

function formatCell(value: number, digits: number): string {
  return Number.isNaN(value) ? '' : value.toFixed(digits);
}

/**
 * The shown image's measurement table (src/image/measure.ts): sortable by any column, paged; a click on a
 * row pans and zooms the viewer to that object and outlines it. CSV downloads the whole table.
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
  const rows = current?.measurements;
  const sorted = useMemo(() => (rows ? sortMeasurements(rows, sort) : []), [rows, sort]);
  const shown = pageOf(sorted, page, PAGE_SIZE);

  if (!id || !image) return null;
  const toggleSort = (column: TableSort['column']) => {
    setSort((s) => ({ column, descending: s.column === column ? !s.descending : false }));
    setPage(0);
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
          <div className="table-scroll">
            <table className="measure-table" data-testid="measure-table" data-rows={rows.length} data-page={shown.page}>
              <thead>
                <tr>
                  {TABLE_COLUMNS.map((c) => (
                    <th
                      key={c.key}
                      scope="col"
                      aria-sort={sort.column === c.key ? (sort.descending ? 'descending' : 'ascending') : 'none'}
                      onClick={() => toggleSort(c.key)}
                      data-testid={`sort-${c.key}`}
                    >
                      {c.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {shown.rows.map((r) => (
                  <tr
                    key={r.id}
                    onClick={() => locate(id, r.id)}
                    aria-selected={highlight?.imageId === id && highlight.objectId === r.id}
                    data-testid="measure-row"
                    data-id={r.id}
                  >
                    {TABLE_COLUMNS.map((c) => (
                      <td key={c.key} data-col={c.key} data-value={r[c.key]}>
                        {formatCell(r[c.key], c.digits)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="row small">
            <button className="small-btn" disabled={shown.page === 0} onClick={() => setPage(shown.page - 1)} data-testid="measure-prev" aria-label="Previous page">
              ‹
            </button>
            <span className="muted" data-testid="measure-page">
              page {shown.page + 1} of {shown.pages}
            </span>
            <button className="small-btn" disabled={shown.page >= shown.pages - 1} onClick={() => setPage(shown.page + 1)} data-testid="measure-next" aria-label="Next page">
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
