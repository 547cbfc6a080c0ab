/**
 * The rows of the Runs table, derived from run summaries. Pure functions, no
 * DOM: the model calls them, the view renders what they return.
 *
 * Every step is linear in the number of runs, except sorting (n log n, each
 * comparison on values read once beforehand).
 */
import type { RunPredicate } from './query';
import type { Runs } from '../tokens';

/**
 * A parameter whose value differs from the previous run of the same notebook:
 * shown as a badge `seed 69→42`.
 */
export type ParamChange = {
  readonly name: string;
  /** `undefined` when the previous run did not record it. */
  readonly before: Runs.Scalar | undefined;
  /** `undefined` when this run did not record it. */
  readonly after: Runs.Scalar | undefined;
  /**
   * The changes that only passed this one on (`model.random_state`, given
   * `seed`), folded under it: one change shows as one badge.
   */
  readonly derived?: readonly string[];
};

/**
 * One row of the table.
 */
export type RunRow = {
  readonly run: Runs.RunSummary;
  /**
   * Seconds from start to end, or to now while running; `null` when the run
   * ended without saying when.
   */
  readonly duration: number | null;
  /** The parameters changed since the previous run of the same notebook. */
  readonly changes: readonly ParamChange[];
  /**
   * The previous run of the same notebook, by start time: what the row's
   * metric changes are measured against. Absent for a notebook's first run.
   */
  readonly previous?: Runs.RunSummary;
};

/**
 * How a metric moved since the previous run: `0.81 ▲0.02`.
 */
export type MetricChange = {
  /** This run's value minus the previous run's. */
  readonly delta: number;
  /** `delta` as a fraction of the previous value; null when that is 0. */
  readonly relative: number | null;
  /** The run measured against. */
  readonly previous: Runs.RunSummary;
};

/**
 * A column the table can be sorted by: a fixed one, or a metric as
 * `metrics.<name>`.
 */
export type SortColumn =
  'status' | 'name' | 'notebook' | 'started' | 'duration' | `metrics.${string}`;

/**
 * The order of the table.
 */
export type Sort = {
  readonly column: SortColumn;
  readonly direction: 'ascending' | 'descending';
};

/**
 * Newest first, as the issue asks.
 */
export const DEFAULT_SORT: Sort = {
  column: 'started',
  direction: 'descending'
};

/**
 * How many metrics the table shows when the user chose none.
 */
export const DEFAULT_PRIMARY_METRICS = 2;

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Seconds from start to end; for a running run, from start to `now`; `null`
 * when a run that is over has no end time.
 */
export function durationOf(run: Runs.RunSummary, now: number): number | null {
  if (run.endedAt !== null) {
    return Math.max(0, (run.endedAt - run.startedAt) / 1000);
  }
  return run.status === 'running'
    ? Math.max(0, (now - run.startedAt) / 1000)
    : null;
}

/**
 * The parameters whose values differ between two runs, in the order the
 * current run recorded them, then those it dropped.
 */
export function changedParams(
  previous: Readonly<Record<string, Runs.Scalar>>,
  current: Readonly<Record<string, Runs.Scalar>>
): ParamChange[] {
  const changes: ParamChange[] = [];
  for (const name of Object.keys(current)) {
    const after = current[name];
    if (!hasOwn.call(previous, name)) {
      changes.push({ name, before: undefined, after });
    } else if (!Object.is(previous[name], after)) {
      changes.push({ name, before: previous[name], after });
    }
  }
  for (const name of Object.keys(previous)) {
    if (!hasOwn.call(current, name)) {
      changes.push({ name, before: previous[name], after: undefined });
    }
  }
  return changes;
}

/**
 * The changes with those that passed another's value on folded under it:
 * a keyword or estimator parameter (a dotted name, `model.random_state`)
 * that changed from and to exactly what a variable of the notebook (a plain
 * name, `seed`) changed from and to got its value from it. The run list
 * holds values only, so the match is by value; the run view, which reads
 * where each value came from, folds by that.
 */
export function foldDerived(changes: readonly ParamChange[]): ParamChange[] {
  const parents = changes.filter(change => !change.name.includes('.'));
  const folded = new Map<ParamChange, string[]>();
  const kept: ParamChange[] = [];
  for (const change of changes) {
    const parent = change.name.includes('.')
      ? parents.find(
          candidate =>
            Object.is(candidate.before, change.before) &&
            Object.is(candidate.after, change.after)
        )
      : undefined;
    if (parent) {
      folded.set(parent, [...(folded.get(parent) ?? []), change.name]);
    } else {
      kept.push(change);
    }
  }
  return kept.map(change =>
    folded.has(change) ? { ...change, derived: folded.get(change) } : change
  );
}

/**
 * One row per run, in the order given: duration and the parameters changed
 * since the previous run of the same notebook (by start time; the first run
 * of a notebook has no changes).
 */
export function deriveRows(
  runs: readonly Runs.RunSummary[],
  now: number
): RunRow[] {
  // The runs of each notebook by start time, to find each one's predecessor.
  // The store lists them newest first, so the sort is usually a reversal.
  const byNotebook = new Map<string, Runs.RunSummary[]>();
  for (const run of runs) {
    let list = byNotebook.get(run.notebookPath);
    if (!list) {
      list = [];
      byNotebook.set(run.notebookPath, list);
    }
    list.push(run);
  }
  const previousOf = new Map<Runs.RunSummary, Runs.RunSummary>();
  for (const list of byNotebook.values()) {
    const ordered = isNewestFirst(list)
      ? list.reverse()
      : list.sort((a, b) => a.startedAt - b.startedAt);
    for (let i = 1; i < ordered.length; i++) {
      previousOf.set(ordered[i], ordered[i - 1]);
    }
  }
  return runs.map(run => {
    const previous = previousOf.get(run);
    return {
      run,
      duration: durationOf(run, now),
      changes: previous
        ? foldDerived(changedParams(previous.params, run.params))
        : [],
      ...(previous ? { previous } : {})
    };
  });
}

/**
 * How `metric` changed since the row's previous run; null when either run
 * lacks a finite value of it (a first run, a metric logged only now, NaN).
 */
export function metricChange(row: RunRow, metric: string): MetricChange | null {
  const previous = row.previous;
  if (!previous) {
    return null;
  }
  const now = finiteValue(row.run, metric);
  const before = finiteValue(previous, metric);
  if (now === null || before === null) {
    return null;
  }
  const delta = now - before;
  return {
    delta,
    relative: before === 0 ? null : delta / Math.abs(before),
    previous
  };
}

function finiteValue(run: Runs.RunSummary, metric: string): number | null {
  const value = hasOwn.call(run.metrics, metric) ? run.metrics[metric] : null;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function isNewestFirst(runs: readonly Runs.RunSummary[]): boolean {
  for (let i = 1; i < runs.length; i++) {
    if (runs[i - 1].startedAt < runs[i].startedAt) {
      return false;
    }
  }
  return true;
}

/**
 * The metrics shown as columns: the names chosen when there are some, else
 * the first `count` metric names logged (from the oldest run on).
 */
export function primaryMetrics(
  runs: readonly Runs.RunSummary[],
  chosen: readonly string[] | null,
  count = DEFAULT_PRIMARY_METRICS
): string[] {
  if (chosen && chosen.length > 0) {
    return [...chosen];
  }
  const names: string[] = [];
  let oldest: Runs.RunSummary | null = null;
  for (const run of runs) {
    if (!oldest || run.startedAt < oldest.startedAt) {
      oldest = run;
    }
  }
  // The oldest run first, then the others in order, until enough are found.
  for (const run of oldest ? [oldest, ...runs] : runs) {
    for (const name of Object.keys(run.metrics)) {
      if (!names.includes(name)) {
        names.push(name);
        if (names.length >= count) {
          return names;
        }
      }
    }
  }
  return names;
}

/**
 * The run statuses in their sorting order: what needs attention first.
 */
const STATUS_RANK: Readonly<Record<Runs.RunStatus, number>> = {
  running: 0,
  failed: 1,
  crashed: 2,
  interrupted: 3,
  finished: 4
};

type SortValue = number | string | undefined;

function sortValue(row: RunRow, column: SortColumn): SortValue {
  const run = row.run;
  switch (column) {
    case 'status':
      return STATUS_RANK[run.status];
    case 'name':
      return run.name;
    case 'notebook':
      return run.notebookPath;
    case 'started':
      return run.startedAt;
    case 'duration':
      return row.duration ?? undefined;
  }
  const name = column.slice('metrics.'.length);
  const value = hasOwn.call(run.metrics, name) ? run.metrics[name] : null;
  return typeof value === 'number' && Number.isFinite(value)
    ? value
    : undefined;
}

const collator = new Intl.Collator(undefined, { numeric: true });

/**
 * The rows in the order asked, a new array. Stable: rows with equal values
 * keep their order. Missing values (no metric, no duration) go last in both
 * directions.
 */
export function sortRows(rows: readonly RunRow[], sort: Sort): RunRow[] {
  const sign = sort.direction === 'ascending' ? 1 : -1;
  const keyed = rows.map((row, index) => ({
    row,
    index,
    value: sortValue(row, sort.column)
  }));
  keyed.sort((a, b) => {
    if (a.value === undefined || b.value === undefined) {
      if (a.value === b.value) {
        return a.index - b.index;
      }
      return a.value === undefined ? 1 : -1;
    }
    const order =
      typeof a.value === 'string' && typeof b.value === 'string'
        ? collator.compare(a.value, b.value)
        : (a.value as number) - (b.value as number);
    return order !== 0 ? sign * order : a.index - b.index;
  });
  return keyed.map(item => item.row);
}

/**
 * Options of `visibleRows`.
 */
export type ViewOptions = {
  readonly sort: Sort;
  /** Keeps the rows whose run matches; all when absent. */
  readonly predicate?: RunPredicate | null;
  /** Whether archived runs are shown. */
  readonly showArchived: boolean;
};

/**
 * The rows the table shows, in order: archived runs left out unless asked
 * for, those the query keeps, sorted, pinned runs first.
 */
export function visibleRows(
  rows: readonly RunRow[],
  options: ViewOptions
): RunRow[] {
  const { predicate, showArchived } = options;
  const kept = rows.filter(
    row =>
      (showArchived || row.run.archived !== true) &&
      (!predicate || predicate(row.run))
  );
  const sorted = sortRows(kept, options.sort);
  const pinned = sorted.filter(row => row.run.pinned === true);
  if (pinned.length === 0) {
    return sorted;
  }
  return pinned.concat(sorted.filter(row => row.run.pinned !== true));
}

/**
 * The sort after a click on a column header: the other direction for the
 * current column, else the column in its natural direction (times and
 * durations newest or longest first, text and metrics ascending).
 */
export function nextSort(current: Sort, column: SortColumn): Sort {
  if (current.column === column) {
    return {
      column,
      direction: current.direction === 'ascending' ? 'descending' : 'ascending'
    };
  }
  return {
    column,
    direction:
      column === 'started' || column === 'duration' ? 'descending' : 'ascending'
  };
}
