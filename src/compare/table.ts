import type { StoredRun } from '../store/reader';
import { isoTime } from '../store/time';
import type { Runs } from '../tokens';
import { changeText } from './difference';
import { isSeedLike } from './seeds';

/**
 * One parameter or metric across the compared runs.
 */
export type CompareRow = {
  readonly name: string;
  /** One per run, in the runs' order; null where the run has none. */
  readonly values: readonly (string | null)[];
  /** True when the runs do not all have the same value. */
  readonly differs: boolean;
  /** A seed-like parameter: the first suspect when results differ. */
  readonly seedLike: boolean;
  /**
   * Metrics: how each run's last value changed from the first run's, in the
   * runs' order (null for the first run and where either value is missing
   * or not a number).
   */
  readonly changes?: readonly (string | null)[];
  /**
   * Parameters: the parameter it got its value from in every run
   * (`random_state=seed`: `seed`), listed right under it.
   */
  readonly from?: string;
};

/**
 * The parameters of the runs side by side: those that differ first, seeds
 * before the others (a seed 69 vs 42 is what to see first), then the rest,
 * each group by name.
 */
export function paramTable(runs: readonly StoredRun.Run[]): CompareRow[] {
  return underParents(
    sortRows(
      rowsOf(runs, run =>
        Object.entries(run.params).map(([name, param]) => [
          name,
          scalarText(param.value)
        ])
      )
    ),
    runs
  );
}

/**
 * Each parameter that got its value from another (in every run that has it)
 * moved right under that one: a seed and what it was passed to read as one
 * change.
 */
function underParents(
  rows: readonly CompareRow[],
  runs: readonly StoredRun.Run[]
): CompareRow[] {
  const names = new Set(rows.map(row => row.name));
  const parentOf = (name: string): string | undefined => {
    const froms = new Set(
      runs
        .filter(run => Object.prototype.hasOwnProperty.call(run.params, name))
        .map(run => run.params[name].from)
    );
    const [from] = froms;
    return froms.size === 1 &&
      from !== undefined &&
      from !== name &&
      names.has(from)
      ? from
      : undefined;
  };
  const children = new Map<string, CompareRow[]>();
  const top: CompareRow[] = [];
  for (const row of rows) {
    const from = parentOf(row.name);
    if (from === undefined || parentOf(from) !== undefined) {
      top.push(row);
    } else {
      children.set(from, [...(children.get(from) ?? []), { ...row, from }]);
    }
  }
  const ordered: CompareRow[] = [];
  for (const row of top) {
    ordered.push(row, ...(children.get(row.name) ?? []));
  }
  return ordered;
}

/**
 * The last value of each metric of the runs side by side, in the order the
 * metrics were first logged.
 */
export function metricTable(runs: readonly StoredRun.Run[]): CompareRow[] {
  const rows = rowsOf(runs, run =>
    run.metrics.map(metric => [
      metric.name,
      metric.last === null ? null : numberText(metric.last)
    ])
  );
  return rows.map(row => {
    const lasts = runs.map(run => lastNumber(run, row.name));
    const base = lasts[0];
    return {
      ...row,
      changes: lasts.map((value, index) =>
        index === 0 || base === null || value === null
          ? null
          : changeText(base, value)
      )
    };
  });
}

/**
 * A run's last value of a metric, when it is a number.
 */
function lastNumber(run: StoredRun.Run, name: string): number | null {
  let last: number | null = null;
  for (const metric of run.metrics) {
    if (metric.name === name) {
      last = typeof metric.last === 'number' ? metric.last : null;
    }
  }
  return last;
}

/**
 * The metrics that have a series worth a chart (more than one point) in at
 * least one run, in the order first logged.
 */
export function chartedMetrics(runs: readonly StoredRun.Run[]): string[] {
  const names = new Set<string>();
  for (const run of runs) {
    for (const metric of run.metrics) {
      if (metric.count > 1) {
        names.add(metric.name);
      }
    }
  }
  return [...names];
}

/**
 * A run's points of one metric (all sources together, in logging order).
 */
export function metricPoints(
  run: StoredRun.Run,
  name: string
): StoredRun.MetricPoint[] {
  const points: StoredRun.MetricPoint[] = [];
  for (const metric of run.metrics) {
    if (metric.name === name) {
      points.push(...metric.points);
    }
  }
  return points;
}

/**
 * The runs as summaries, for the chart builders that take summaries.
 */
export function summariesOf(runs: readonly StoredRun.Run[]): Runs.RunSummary[] {
  return runs.map(run => ({
    id: run.id,
    name: run.name,
    notebookPath: run.notebookPath,
    status: run.status,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    params: record(
      Object.entries(run.params).map(([name, param]) => [name, param.value])
    ),
    metrics: record(
      run.metrics.map(metric => [
        metric.name,
        typeof metric.last === 'number' ? metric.last : null
      ])
    ),
    tags: run.tags,
    note: run.note,
    // The sidebar's marks; the charts do not use them.
    pinned: false,
    archived: false
  }));
}

/**
 * The comparison as CSV (RFC 4180): one line per run with its attributes,
 * parameters (`param:<name>`) and last metric values (`metric:<name>`).
 * Cells that a spreadsheet would read as a formula are prefixed with `'`.
 */
export function comparisonCsv(runs: readonly StoredRun.Run[]): string {
  const params = paramTable(runs);
  const metrics = metricTable(runs);
  const header = [
    'run',
    'name',
    'notebook',
    'status',
    'started',
    'ended',
    ...params.map(row => `param:${row.name}`),
    ...metrics.map(row => `metric:${row.name}`)
  ];
  const lines = runs.map((run, index) => [
    run.id,
    run.name,
    run.notebookPath,
    run.status,
    isoTime(run.startedAt),
    run.endedAt === null ? '' : isoTime(run.endedAt),
    ...params.map(row => row.values[index] ?? ''),
    ...metrics.map(row => row.values[index] ?? '')
  ]);
  return (
    [header, ...lines].map(line => line.map(csvCell).join(',')).join('\r\n') +
    '\r\n'
  );
}

function rowsOf(
  runs: readonly StoredRun.Run[],
  entries: (run: StoredRun.Run) => [string, string | null][]
): CompareRow[] {
  const values = new Map<string, (string | null)[]>();
  runs.forEach((run, index) => {
    for (const [name, value] of entries(run)) {
      let row = values.get(name);
      if (!row) {
        row = runs.map(() => null);
        values.set(name, row);
      }
      row[index] = value;
    }
  });
  return [...values].map(([name, row]) => ({
    name,
    values: row,
    differs: new Set(row).size > 1,
    seedLike: isSeedLike(name)
  }));
}

function sortRows(rows: CompareRow[]): CompareRow[] {
  const rank = (row: CompareRow) => (row.differs ? (row.seedLike ? 0 : 1) : 2);
  return rows.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

function scalarText(value: Runs.Scalar): string {
  return typeof value === 'string' ? value : String(value);
}

function numberText(value: number | string): string {
  return typeof value === 'number'
    ? String(Number(value.toPrecision(6)))
    : value;
}

function csvCell(value: string): string {
  const formula = /^[=+\-@\t\r]/.test(value) && !isNumber(value);
  const safe = formula ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function isNumber(value: string): boolean {
  return value.trim() !== '' && Number.isFinite(Number(value));
}

function record<T>(entries: [string, T][]): Record<string, T> {
  const result: Record<string, T> = {};
  for (const [key, value] of entries) {
    result[key] = value;
  }
  return result;
}
