import type { ObjectMeasurement } from '../image/measure';

/**
 * The measurement table's rows: sorted by any column, cut into pages so that an image with thousands of
 * objects renders a page of rows, not all of them.
 */

export type MeasurementColumn = keyof ObjectMeasurement;

/** Table columns in display order, with their headers. */
export const TABLE_COLUMNS: readonly { readonly key: MeasurementColumn; readonly label: string; readonly digits: number }[] = [
  { key: 'id', label: 'id', digits: 0 },
  { key: 'area', label: 'area', digits: 0 },
  { key: 'centroidX', label: 'x', digits: 1 },
  { key: 'centroidY', label: 'y', digits: 1 },
  { key: 'bboxX', label: 'box x', digits: 0 },
  { key: 'bboxY', label: 'box y', digits: 0 },
  { key: 'bboxWidth', label: 'box w', digits: 0 },
  { key: 'bboxHeight', label: 'box h', digits: 0 },
  { key: 'meanIntensity', label: 'mean', digits: 1 },
  { key: 'minIntensity', label: 'min', digits: 1 },
  { key: 'maxIntensity', label: 'max', digits: 1 },
  { key: 'eccentricity', label: 'ecc.', digits: 3 },
  { key: 'perimeter', label: 'perim.', digits: 1 },
];

export interface TableSort {
  readonly column: MeasurementColumn;
  readonly descending: boolean;
}

/** Rows sorted by one column (ties by id, so the order is stable); NaN (no intensity) sorts last. */
export function sortMeasurements(rows: readonly ObjectMeasurement[], sort: TableSort): ObjectMeasurement[] {
  const sign = sort.descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = a[sort.column];
    const y = b[sort.column];
    if (Number.isNaN(x) !== Number.isNaN(y)) return Number.isNaN(x) ? 1 : -1;
    return (x === y || (Number.isNaN(x) && Number.isNaN(y)) ? 0 : sign * (x < y ? -1 : 1)) || a.id - b.id;
  });
}

/** Rows of page `page` (0-based, clamped to the pages there are) and the number of pages. */
export function pageOf<T>(rows: readonly T[], page: number, size: number): { rows: T[]; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const p = Math.min(pages - 1, Math.max(0, page));
  return { rows: rows.slice(p * size, (p + 1) * size), page: p, pages };
}
