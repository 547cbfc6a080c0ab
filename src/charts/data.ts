import { isSeedLike } from '../compare/seeds';
import type { Runs } from '../tokens';

/**
 * The data field of parameter `index` in a chart's rows.
 *
 * Parameter names are stored text the user typed: they go into titles and
 * data values only, never into field names, which vega-lite parses (a dot or
 * a bracket in a name would read a nested field) and compiles into
 * expressions.
 */
export function paramField(index: number): string {
  return `p${index}`;
}

/**
 * The run's value of `metric` when it is a finite number, else null: a chart
 * cannot place NaN or ±Infinity on a continuous axis.
 */
export function finiteMetric(
  run: Runs.RunSummary,
  metric: string
): number | null {
  const value = Object.prototype.hasOwnProperty.call(run.metrics, metric)
    ? run.metrics[metric]
    : null;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * The run's value of `param`, or undefined when it did not record it.
 */
export function paramValue(
  run: Runs.RunSummary,
  param: string
): Runs.Scalar | undefined {
  return Object.prototype.hasOwnProperty.call(run.params, param)
    ? run.params[param]
    : undefined;
}

/**
 * The parameters whose value is not the same in every run (a parameter some
 * runs lack counts as differing), in the order they are first met: what tells
 * runs apart in a tooltip.
 */
export function differingParams(runs: readonly Runs.RunSummary[]): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const run of runs) {
    for (const name of Object.keys(run.params)) {
      if (!seen.has(name)) {
        seen.add(name);
        names.push(name);
      }
    }
  }
  return names.filter(name => {
    const first = paramValue(runs[0], name);
    return runs.some(run => !Object.is(paramValue(run, name), first));
  });
}

/**
 * A parameter value as text, for a tooltip or an axis of categories; a
 * missing value is shown as empty.
 */
export function scalarText(value: Runs.Scalar | undefined): string {
  return value === undefined ? '' : String(value);
}

/**
 * Whether every present value is a finite number (and there is one): such a
 * parameter gets a continuous axis, any other a categorical one.
 */
export function isNumericAxis(
  values: readonly (Runs.Scalar | undefined)[]
): boolean {
  const present = values.filter(value => value !== undefined && value !== null);
  return (
    present.length > 0 &&
    present.every(value => typeof value === 'number' && Number.isFinite(value))
  );
}

/**
 * Whether a parameter names something rather than measures it: a seed
 * (`seed`, `random_state`) or an identifier (`id`, `run_id`, `user.id`,
 * `datasetId`). Its numbers are labels: seed 42 is not "between" 7 and 69,
 * so it gets an axis of categories, never a continuous one.
 */
export function isIdentifierParam(name: string): boolean {
  return isSeedLike(name) || ID_SUFFIX.test(name) || CAMEL_ID.test(name);
}

/** `id`, `run_id`, `user.id`, `RUN-UUID`: the whole name or its last part. */
const ID_SUFFIX = /(?:^|[._-])(?:id|ids|uuid)$/i;

/** `datasetId`, told by its capital from `valid` or `paid`. */
const CAMEL_ID = /[a-z0-9]I[dD]s?$/;

/**
 * Stored text made fit for a chart title: line breaks and other control
 * characters become spaces. vega-lite writes tooltip titles into a vega
 * expression as quoted keys; it escapes quotes and `\n`, but a U+2028 line
 * separator left in a name makes the expression fail to parse and the whole
 * chart with it.
 */
export function chartLabel(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
}

/**
 * The labels as `chartLabel` makes them, distinct by numbering repeats ("lr",
 * "lr (2)"): vega-lite's tooltip is an object keyed by title, so a parameter
 * and a metric both called "lr" would otherwise show as one line.
 */
export function uniqueLabels(labels: readonly string[]): string[] {
  const used = new Set<string>();
  return labels.map(label => {
    const clean = chartLabel(label);
    let unique = clean;
    for (let n = 2; used.has(unique); n++) {
      unique = `${clean} (${n})`;
    }
    used.add(unique);
    return unique;
  });
}

/**
 * Orders runs by start time, then id so that equal times keep one order.
 */
export function byStart(a: Runs.RunSummary, b: Runs.RunSummary): number {
  return a.startedAt - b.startedAt || a.id.localeCompare(b.id);
}
