/**
 * A stored time (epoch milliseconds) as ISO 8601, or empty when it is no
 * date: a time of 1e308 passes the format's checks but is out of the range
 * of dates, where `Date.toISOString()` throws.
 */
export function isoTime(time: number): string {
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}
