import type { StoreFormat } from './format';

/**
 * How many points of a block's metric series the pack holds inline. A
 * longer series goes whole to the pack's points file, and the pack keeps an
 * overview of this many points: about what a chart draws per run, so the
 * views read a few kilobytes per series instead of every point.
 */
export const OVERVIEW_POINTS = 1000;

/**
 * The indices of the points that keep a series' shape in at most `limit`
 * points: the first and the last, and per bucket of consecutive points the
 * lowest and highest value (±Infinity included) and the first NaN, in
 * order. `value(i)` is the value of point `i` as a number.
 *
 * Min/max rather than LTTB: spikes are what the user looks for, and
 * extremes of extremes are the extremes, so an overview of an overview
 * (a chart of several blocks) still shows every spike.
 */
export function extremeIndices(
  count: number,
  value: (index: number) => number,
  limit: number
): number[] {
  const bound = Math.max(2, Math.floor(limit));
  if (count <= bound) {
    return Array.from({ length: count }, (_, index) => index);
  }
  let hasNaN = false;
  for (let i = 0; i < count && !hasNaN; i++) {
    hasNaN = Number.isNaN(value(i));
  }
  // The first and last points are kept apart from the buckets.
  const buckets = Math.floor((bound - 2) / (hasNaN ? 3 : 2));
  const inner = count - 2;
  const kept = [0];
  for (let bucket = 0; bucket < buckets; bucket++) {
    const start = 1 + Math.floor((bucket * inner) / buckets);
    const end = 1 + Math.floor(((bucket + 1) * inner) / buckets);
    pushExtremes(value, start, end, kept);
  }
  kept.push(count - 1);
  return kept;
}

/**
 * Appends the indices of the extremes of `[start, end)`, in order.
 */
function pushExtremes(
  value: (index: number) => number,
  start: number,
  end: number,
  kept: number[]
): void {
  let low = -1;
  let high = -1;
  let nan = -1;
  let lowValue = 0;
  let highValue = 0;
  for (let i = start; i < end; i++) {
    const y = value(i);
    if (Number.isNaN(y)) {
      if (nan < 0) {
        nan = i;
      }
      continue;
    }
    if (low < 0 || y < lowValue) {
      low = i;
      lowValue = y;
    }
    if (high < 0 || y > highValue) {
      high = i;
      highValue = y;
    }
  }
  const found = [low, high, nan].filter(
    (index, position, all) => index >= 0 && all.indexOf(index) === position
  );
  found.sort((a, b) => a - b);
  kept.push(...found);
}

/**
 * The number a stored metric value stands for.
 */
export function metricNumber(value: StoreFormat.MetricValue): number {
  switch (value) {
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    default:
      return value;
  }
}

/**
 * The lowest and highest finite values, or nulls when there are none.
 */
export function finiteRange(values: readonly StoreFormat.MetricValue[]): {
  min: number | null;
  max: number | null;
} {
  let min: number | null = null;
  let max: number | null = null;
  for (const value of values) {
    if (typeof value === 'number' && Number.isFinite(value)) {
      min = min === null || value < min ? value : min;
      max = max === null || value > max ? value : max;
    }
  }
  return { min, max };
}
