import type { StoredRun } from '../store/reader';
import { extremeIndices, metricNumber } from '../store/overview';

/**
 * A metric point reduced to what a chart draws: `x` is the step, `y` the value
 * as a number, which may be NaN or ±Infinity (the store keeps those as strings).
 */
export type XYPoint = {
  readonly x: number;
  readonly y: number;
};

/**
 * How many points of one series a chart draws by default: about one per pixel
 * column of a wide panel, which keeps 20 runs of 100,000 points each to
 * ~20,000 marks, drawn in well under a second on canvas.
 */
export const DEFAULT_MAX_POINTS = 1000;

/**
 * The points of a stored metric as x/y pairs in ascending step order.
 *
 * A point logged without a step is placed one after the previous point, so a
 * series logged without steps is drawn against its index, and one that stops
 * giving steps carries on where it was rather than jumping back to 0.
 *
 * Points are stored in logging order, which is almost always step order: the
 * check is O(n), and the O(n log n) stable sort only runs for the rare series
 * logged out of order.
 */
export function stepPoints(
  points: readonly StoredRun.MetricPoint[]
): XYPoint[] {
  const result: XYPoint[] = new Array(points.length);
  let previous = -1;
  let ordered = true;
  for (let i = 0; i < points.length; i++) {
    const [value, step] = points[i];
    const x = step === null || !Number.isFinite(step) ? previous + 1 : step;
    if (x < previous) {
      ordered = false;
    }
    result[i] = { x, y: metricNumber(value) };
    previous = x;
  }
  if (!ordered) {
    // Array.prototype.sort is stable: points on the same step keep their
    // logging order.
    result.sort((a, b) => a.x - b.x);
  }
  return result;
}

/**
 * Reduces a metric's points to at most `maxPoints`, keeping its shape.
 *
 * Min/max per bucket rather than LTTB: LTTB keeps one point per bucket, chosen
 * for area, and can drop one side of a one-step spike; a training curve's
 * spikes (a loss blowing up, then recovering) are what the user looks for.
 * The first and last points are always kept, the result is in ascending step
 * order, and each point is one of the input's (nothing is averaged, so a
 * tooltip shows a value that was really logged).
 *
 * Non-finite values are kept visible: ±Infinity rank as the most extreme
 * values of their bucket, and a bucket holding a NaN keeps its first NaN, so a
 * run that diverged shows where. Buckets then hold three points instead of
 * two, and are made fewer so the bound still holds.
 *
 * O(n) in time, one pass to convert and one to bucket.
 */
export function downsample(
  points: readonly StoredRun.MetricPoint[],
  maxPoints: number = DEFAULT_MAX_POINTS
): XYPoint[] {
  return downsampleXY(stepPoints(points), maxPoints);
}

/**
 * `downsample` over points already in ascending `x` order.
 */
export function downsampleXY(
  points: readonly XYPoint[],
  maxPoints: number = DEFAULT_MAX_POINTS
): XYPoint[] {
  if (points.length <= Math.max(2, Math.floor(maxPoints))) {
    return points.slice();
  }
  return extremeIndices(points.length, i => points[i].y, maxPoints).map(
    index => points[index]
  );
}
