import type { TopLevelSpec } from 'vega-lite';

import type { Runs } from '../tokens';
import {
  finiteMetric,
  isIdentifierParam,
  isNumericAxis,
  paramValue,
  scalarText,
  uniqueLabels
} from './data';
import type { ChartOptions } from './specs';
import { baseSpec } from './specs';
import { RUN_ID_FIELD, runSelectionParam, selectionOpacity } from './selection';

/**
 * One vertical axis of a parallel-coordinates chart: where each run sits on
 * it, from 0 (bottom) to 1 (top), and the tick labels to draw.
 */
export type ParallelAxis = {
  readonly label: string;
  /** Per run, in the runs' order; null where the run has no value. */
  readonly positions: readonly (number | null)[];
  readonly ticks: readonly {
    readonly position: number;
    readonly text: string;
  }[];
};

/**
 * Categorical axes with more values than this only label their ends.
 */
const MAX_CATEGORY_TICKS = 12;

/**
 * Places values on an axis. Numbers are normalised to [0, 1] between their
 * min and max (a constant sits in the middle); anything else (strings,
 * booleans, or numbers mixed with them) is one evenly spaced position per
 * distinct value, in sorted order. Missing values get no position.
 */
/**
 * The widest an axis name is drawn, in pixels: longer ones end in "…" (the
 * tooltip names the axis whole).
 */
const AXIS_LABEL_LIMIT = 110;

/**
 * Past this many axes their names are slanted, as they no longer fit side
 * by side.
 */
const SLANT_AFTER = 5;

export function parallelAxis(
  label: string,
  values: readonly (Runs.Scalar | undefined)[],
  categorical = false
): ParallelAxis {
  return !categorical && isNumericAxis(values)
    ? numericAxis(label, values)
    : categoricalAxis(label, values);
}

function numericAxis(
  label: string,
  values: readonly (Runs.Scalar | undefined)[]
): ParallelAxis {
  const numbers = values.filter(
    (value): value is number => typeof value === 'number'
  );
  const min = Math.min(...numbers);
  const max = Math.max(...numbers);
  const span = max - min;
  const place = (value: number) => (span > 0 ? (value - min) / span : 0.5);
  const positions = values.map(value =>
    typeof value === 'number' ? place(value) : null
  );
  const ticks =
    span > 0
      ? [
          { position: 0, text: tickNumber(min) },
          { position: 1, text: tickNumber(max) }
        ]
      : [{ position: 0.5, text: tickNumber(min) }];
  return { label, positions, ticks };
}

/**
 * A number short enough for a tick label: six significant digits, without the
 * float noise of `0.30000000000000004`.
 */
function tickNumber(value: number): string {
  return String(Number(value.toPrecision(6)));
}

function categoricalAxis(
  label: string,
  values: readonly (Runs.Scalar | undefined)[]
): ParallelAxis {
  const categories = [
    ...new Set(
      values
        .filter(value => value !== undefined)
        .map(value => scalarText(value))
    )
  ].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const last = categories.length - 1;
  const place = (index: number) => (last > 0 ? index / last : 0.5);
  const index = new Map(categories.map((text, i) => [text, i]));
  const positions = values.map(value =>
    value === undefined ? null : place(index.get(scalarText(value)) ?? 0)
  );
  const labelled =
    categories.length <= MAX_CATEGORY_TICKS
      ? categories.map((_, i) => i)
      : [0, last];
  const ticks = labelled.map(i => ({
    position: place(i),
    text: categories[i]
  }));
  return { label, positions, ticks };
}

/**
 * Parameters → metric as parallel coordinates: an axis per parameter and a
 * last one for the metric, a line per run coloured by the metric; a click
 * selects a run. Runs without a finite value of `metric` are left out.
 *
 * Axes are placed by index (`axis` field, sorted by `order`) so that the
 * user's parameter names never reach an expression: the axis names are the
 * labels of a nominal scale, drawn as text. A run missing a parameter has a
 * break in its line there.
 */
export function parallelCoordinatesSpec(
  runs: readonly Runs.RunSummary[],
  params: readonly string[],
  metric: string,
  options: ChartOptions
): TopLevelSpec {
  const { trans } = options;
  const plotted = runs.filter(run => finiteMetric(run, metric) !== null);
  const labels = uniqueLabels([...params, metric]);
  const columns = [
    ...params.map(param => plotted.map(run => paramValue(run, param))),
    plotted.map(run => finiteMetric(run, metric))
  ];
  // Seeds and identifiers are labels, one position per value.
  const axes = columns.map((values, a) =>
    parallelAxis(
      labels[a],
      values,
      a < params.length && isIdentifierParam(params[a])
    )
  );
  const lines: Record<string, unknown>[] = [];
  plotted.forEach((run, r) => {
    axes.forEach((axis, a) => {
      lines.push({
        [RUN_ID_FIELD]: run.id,
        name: run.name,
        axis: axis.label,
        order: a,
        position: axis.positions[r],
        logged: scalarText(columns[a][r]),
        metric: finiteMetric(run, metric)
      });
    });
  });
  const frames = axes.map((axis, a) => ({
    axis: axis.label,
    order: a,
    bottom: 0,
    top: 1
  }));
  const ticks: Record<string, unknown>[] = [];
  axes.forEach((axis, a) => {
    for (const tick of axis.ticks) {
      ticks.push({ axis: axis.label, order: a, ...tick });
    }
  });
  // Every layer sorts the axes the same way, by index, so vega-lite keeps
  // the order when it merges their domains.
  const x = {
    field: 'axis',
    type: 'nominal' as const,
    sort: { field: 'order', op: 'min' as const },
    title: null,
    axis: {
      orient: 'top' as const,
      // Parameter names are often long (`train_test_split.random_state`):
      // cut to fit beside their neighbours, slanted when there are many.
      labelAngle: axes.length > SLANT_AFTER ? -30 : 0,
      labelAlign: axes.length > SLANT_AFTER ? ('left' as const) : undefined,
      labelLimit: AXIS_LABEL_LIMIT,
      domain: false,
      ticks: false
    }
  };
  const scale = { domain: [0, 1], zero: false, nice: false };
  const titles = uniqueLabels([
    trans.__('Run'),
    trans.__('Axis'),
    trans.__('Value')
  ]);
  return {
    ...baseSpec(options),
    layer: [
      {
        data: { values: frames },
        mark: { type: 'rule', opacity: 0.6 },
        encoding: {
          x,
          y: { field: 'bottom', type: 'quantitative', scale, axis: null },
          y2: { field: 'top' }
        }
      },
      {
        data: { values: lines },
        params: [runSelectionParam(false)],
        mark: {
          type: 'line',
          strokeWidth: 2,
          cursor: 'pointer',
          invalid: 'break-paths-show-domains'
        },
        encoding: {
          x,
          y: { field: 'position', type: 'quantitative', scale, axis: null },
          detail: { field: RUN_ID_FIELD, type: 'nominal' },
          color: {
            field: 'metric',
            type: 'quantitative',
            title: labels[params.length]
          },
          opacity: selectionOpacity(0.15),
          tooltip: [
            { field: 'name', type: 'nominal', title: titles[0] },
            { field: 'axis', type: 'nominal', title: titles[1] },
            { field: 'logged', type: 'nominal', title: titles[2] }
          ]
        }
      },
      {
        data: { values: ticks },
        mark: { type: 'text', align: 'left', dx: 4, baseline: 'middle' },
        encoding: {
          x,
          y: { field: 'position', type: 'quantitative', scale, axis: null },
          text: { field: 'text', type: 'nominal' }
        }
      }
    ]
  };
}
