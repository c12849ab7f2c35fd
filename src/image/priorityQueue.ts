/**
 * A binary min-heap of pixel indices keyed by a float priority, for flooding algorithms (watershed).
 * Equal priorities pop in insertion order (a running counter breaks ties), so a flood over a plateau
 * spreads breadth-first from every marker at the same pace and the result does not depend on how the
 * heap happens to be laid out. Typed arrays, grown by doubling.
 */
export interface PixelQueue {
  /** Number of queued items. */
  readonly size: number;
  push(index: number, priority: number): void;
  /** Removes and returns the index with the lowest priority (oldest first among equals). */
  pop(): number;
}

/** An empty queue; `capacity` is only the initial allocation. */
export function createPixelQueue(capacity = 1024): PixelQueue {
  let items = new Int32Array(Math.max(4, capacity));
  let keys = new Float64Array(items.length);
  let ages = new Float64Array(items.length);
  let size = 0;
  let counter = 0;
  const less = (a: number, b: number): boolean => keys[a] < keys[b] || (keys[a] === keys[b] && ages[a] < ages[b]);
  const swap = (a: number, b: number): void => {
    const i = items[a];
    items[a] = items[b];
    items[b] = i;
    const k = keys[a];
    keys[a] = keys[b];
    keys[b] = k;
    const g = ages[a];
    ages[a] = ages[b];
    ages[b] = g;
  };
  const grow = (): void => {
    const n = items.length * 2;
    const i2 = new Int32Array(n);
    const k2 = new Float64Array(n);
    const a2 = new Float64Array(n);
    i2.set(items);
    k2.set(keys);
    a2.set(ages);
    items = i2;
    keys = k2;
    ages = a2;
  };
  return {
    get size() {
      return size;
    },
    push(index: number, priority: number): void {
      if (Number.isNaN(priority)) throw new RangeError(`priority of pixel ${index} is NaN`);
      if (size === items.length) grow();
      let c = size++;
      items[c] = index;
      keys[c] = priority;
      ages[c] = counter++;
      while (c > 0) {
        const parent = (c - 1) >> 1;
        if (!less(c, parent)) break;
        swap(c, parent);
        c = parent;
      }
    },
    pop(): number {
      if (size === 0) throw new RangeError('pop from an empty queue');
      const top = items[0];
      size--;
      if (size > 0) {
        items[0] = items[size];
        keys[0] = keys[size];
        ages[0] = ages[size];
        let c = 0;
        for (;;) {
          const l = 2 * c + 1;
          if (l >= size) break;
          const r = l + 1;
          const m = r < size && less(r, l) ? r : l;
          if (!less(m, c)) break;
          swap(m, c);
          c = m;
        }
      }
      return top;
    },
  };
}
