import type { TranslationBundle } from '@jupyterlab/translation';

import type { StoredRun } from '../store/reader';
import type { Runs } from '../tokens';

/**
 * A label and the text shown for it.
 */
export type Fact = { readonly label: string; readonly value: string };

/**
 * A run's overview: status, times, why it began, author, versions.
 */
export function overviewFacts(
  run: StoredRun.Run,
  trans: TranslationBundle,
  now: number = Date.now()
): Fact[] {
  const env = run.env ?? {};
  const facts: Fact[] = [
    { label: trans.__('Status'), value: run.status },
    { label: trans.__('Notebook'), value: run.notebookPath },
    { label: trans.__('Started'), value: timeText(run.startedAt) },
    {
      label: trans.__('Ended'),
      value: run.endedAt === null ? '—' : timeText(run.endedAt)
    },
    {
      // How long the run's cells computed, beside how long the kernel held
      // the run open (a run stays open while its kernel idles).
      label: trans.__('Computing'),
      value: trans._n(
        '%2 in %1 execution',
        '%2 in %1 executions',
        run.executions.length,
        durationText(computedTime(run))
      )
    },
    {
      label: trans.__('Duration'),
      value: trans.__(
        '%1, start to end',
        durationText((run.endedAt ?? now) - run.startedAt)
      )
    },
    { label: trans.__('Began because'), value: reasonText(run.reason, trans) },
    { label: trans.__('Run id'), value: run.id }
  ];
  const author = text(lookup(env, 'user'));
  if (author) {
    facts.push({ label: trans.__('Author'), value: author });
  }
  const python = text(lookup(env, 'python', 'version'));
  if (python) {
    facts.push({ label: trans.__('Python'), value: python.split(' ')[0] });
  }
  const helper = text(lookup(env, 'helper', 'version'));
  if (helper) {
    facts.push({ label: trans.__('Helper'), value: helper });
  }
  const lab = text(lookup(env, 'jupyter', 'jupyterlab'));
  if (lab) {
    facts.push({ label: trans.__('JupyterLab'), value: lab });
  }
  return facts;
}

/**
 * How long a run's executions took together, in milliseconds.
 */
export function computedTime(run: StoredRun.Run): number {
  return run.executions.reduce(
    (total, execution) => total + Math.max(0, execution.duration),
    0
  );
}

/**
 * A parameter as a row: its value and where it came from.
 */
export type ParamRow = {
  readonly name: string;
  readonly value: string;
  readonly source: string;
  readonly exec: number | null;
};

/**
 * The run's parameters, by name.
 */
export function paramRows(run: StoredRun.Run): ParamRow[] {
  return Object.entries(run.params)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, param]) => paramRow(name, param));
}

/**
 * One parameter as a row.
 */
export function paramRow(name: string, param: StoredRun.Param): ParamRow {
  return {
    name,
    value: scalarText(param.value),
    source: param.detail ? `${param.source}: ${param.detail}` : param.source,
    exec: param.exec
  };
}

/**
 * A metric's summary as a row.
 */
export type MetricRow = {
  readonly name: string;
  readonly source: string;
  readonly count: number;
  readonly last: string;
  readonly min: string;
  readonly max: string;
};

/**
 * Last, min and max of each metric, in the order they were first logged.
 */
export function metricRows(run: StoredRun.Run): MetricRow[] {
  return run.metrics.map(metric => ({
    name: metric.name,
    source: metric.source,
    count: metric.count,
    last: metric.last === null ? '—' : numberText(metric.last),
    min: metric.min === null ? '—' : numberText(metric.min),
    max: metric.max === null ? '—' : numberText(metric.max)
  }));
}

/**
 * How many non-finite points a chart note names.
 */
const MAX_NAMED_POINTS = 3;

/**
 * The points of a metric a chart cannot draw (NaN, ±Infinity), as a note:
 * "3 points not drawn: NaN at step 1, ∞ at step 2, −∞ at step 3", or null
 * when every point is finite. A loss going NaN is what a user most needs
 * to see, so it is said rather than silently left out.
 */
export function nonFiniteNote(
  metric: StoredRun.Metric,
  trans: TranslationBundle
): string | null {
  const odd = metric.points.filter(
    ([value]) => typeof value !== 'number' || !Number.isFinite(value)
  );
  if (odd.length === 0) {
    return null;
  }
  const named = odd
    .slice(0, MAX_NAMED_POINTS)
    .map(([value, step]) =>
      step === null
        ? valueText(value)
        : trans.__('%1 at step %2', valueText(value), step)
    );
  return trans._n(
    '%1 point not drawn: %2',
    '%1 points not drawn: %2',
    odd.length,
    named.join(', ') + (odd.length > MAX_NAMED_POINTS ? ', …' : '')
  );
}

function valueText(value: StoredRun.MetricPoint[0]): string {
  const number = typeof value === 'number' ? value : Number(value);
  if (Number.isNaN(number)) {
    return 'NaN';
  }
  return number > 0 ? '∞' : '−∞';
}

/**
 * The environment's facts worth a line each, then its packages.
 */
export function environmentFacts(
  env: Readonly<Record<string, unknown>> | null,
  trans: TranslationBundle
): { facts: Fact[]; packages: Fact[] } {
  if (!env) {
    return { facts: [], packages: [] };
  }
  const candidates: [string, unknown][] = [
    [trans.__('Python'), lookup(env, 'python', 'version')],
    [trans.__('Executable'), lookup(env, 'python', 'executable')],
    [trans.__('Platform'), lookup(env, 'platform', 'description')],
    [trans.__('Machine'), lookup(env, 'platform', 'machine')],
    [trans.__('CPUs'), lookup(env, 'cpu_count')],
    [trans.__('Memory'), bytesText(lookup(env, 'memory_bytes'))],
    [trans.__('GPU'), lookup(env, 'gpu')],
    [trans.__('Host'), lookup(env, 'hostname')],
    [trans.__('Working folder'), lookup(env, 'cwd')],
    [trans.__('Git commit'), lookup(env, 'git', 'commit')],
    [trans.__('Git branch'), lookup(env, 'git', 'branch')],
    [trans.__('Git dirty'), lookup(env, 'git', 'dirty')],
    [trans.__('Kernel'), lookup(env, 'kernel', 'implementation')],
    [trans.__('Language'), lookup(env, 'language', 'name')]
  ];
  const facts = candidates
    .map(([label, value]) => ({ label, value: text(value) }))
    .filter(fact => fact.value !== '');
  const packages = Object.entries(record(lookup(env, 'packages')))
    .map(([name, version]) => ({ label: name, value: text(version) }))
    .sort((a, b) => a.label.localeCompare(b.label));
  return { facts, packages };
}

/**
 * Milliseconds as a short duration: `850 ms`, `12.3 s`, `4 min 05 s`,
 * `2 h 03 min`.
 */
export function durationText(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) {
    return '—';
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  const seconds = ms / 1000;
  if (seconds < 60) {
    return `${seconds.toFixed(1)} s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return `${minutes} min ${pad(Math.floor(seconds % 60))} s`;
  }
  return `${Math.floor(minutes / 60)} h ${pad(minutes % 60)} min`;
}

/**
 * Bytes as a short size: `512 B`, `1.5 KiB`, `3.2 MiB`.
 */
export function sizeText(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * An epoch-milliseconds time in the reader's locale.
 */
export function timeText(time: number): string {
  return new Date(time).toLocaleString();
}

function bytesText(value: unknown): string | null {
  return typeof value === 'number' ? sizeText(value) : null;
}

function reasonText(reason: string | null, trans: TranslationBundle): string {
  switch (reason) {
    case 'kernel-start':
      return trans.__('the kernel started');
    case 'param-changed':
      return trans.__('a parameter changed after metrics');
    case 'user':
      return trans.__('asked for (New Run)');
    case 'helper':
      return trans.__('the helper API or a new execution');
    default:
      return reason ?? '—';
  }
}

function scalarText(value: Runs.Scalar): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function numberText(value: number | string): string {
  return typeof value === 'number'
    ? String(Number(value.toPrecision(6)))
    : value;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

function lookup(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    current = record(current)[key];
  }
  return current;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function text(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
