import type { TranslationBundle } from '@jupyterlab/translation';
import type { TopLevelSpec } from 'vega-lite';

import type { StoredRun } from '../store/reader';
import type { Runs } from '../tokens';
import {
  byStart,
  chartLabel,
  differingParams,
  finiteMetric,
  isNumericAxis,
  paramField,
  paramValue,
  scalarText,
  uniqueLabels
} from './data';
import { DEFAULT_MAX_POINTS, downsample } from './downsample';
import { RUN_ID_FIELD, runSelectionParam, selectionOpacity } from './selection';

/**
 * The vega-lite schema the specs are written for; vega-embed reads the mode
 * from it, and the exported source names it.
 */
export const VEGA_LITE_SCHEMA =
  'https://vega.github.io/schema/vega-lite/v6.json';

/**
 * What every spec builder needs besides its data.
 */
export type ChartOptions = {
  /**
   * The bundle of the extension's domain, for axis and tooltip titles.
   */
  readonly trans: TranslationBundle;

  /**
   * The plot's height in pixels; its width follows the container.
   */
  readonly height?: number;
};

/**
 * One run's points of a metric, for `metricStepsSpec`.
 */
export type StepSeries = {
  readonly runId: string;
  readonly runName: string;
  readonly points: readonly StoredRun.MetricPoint[];
};

/**
 * Options of `metricStepsSpec`.
 */
export type StepsOptions = ChartOptions & {
  /**
   * Points drawn per run at most, after downsampling.
   */
  readonly maxPointsPerRun?: number;

  /**
   * Up to how many points in all each point gets an invisible mark carrying
   * its tooltip; past it only lines are drawn, which keeps big compares fast.
   */
  readonly maxTooltipPoints?: number;
};

const DEFAULT_HEIGHT = 220;
const DEFAULT_MAX_TOOLTIP_POINTS = 5000;
const TIME_FORMAT = '%Y-%m-%d %H:%M:%S';

/**
 * The top-level properties shared by the specs: the plot fills its
 * container's width, padding included, so a panel can size it.
 */
export function baseSpec(options: ChartOptions) {
  return {
    $schema: VEGA_LITE_SCHEMA,
    width: 'container' as const,
    height: options.height ?? DEFAULT_HEIGHT,
    autosize: { type: 'fit' as const, contains: 'padding' as const }
  };
}

/**
 * The primary metric across runs: one point per run at its start time, a
 * faint line showing the trend; a click selects a run.
 *
 * Runs without a finite value of `metric` are left out. The tooltip names the
 * run, its value and the parameters that differ between the runs.
 */
export function runsChartSpec(
  runs: readonly Runs.RunSummary[],
  metric: string,
  options: ChartOptions & {
    /** Plot only the newest this many runs (the rest would be a blur). */
    readonly maxRuns?: number;
  }
): TopLevelSpec {
  const { trans, maxRuns = Infinity } = options;
  const plotted = trendRuns(runs, metric, maxRuns);
  const params = plotted.length > 1 ? differingParams(plotted) : [];
  const titles = uniqueLabels([
    trans.__('Run'),
    metric,
    trans.__('Started'),
    ...params
  ]);
  const values = plotted.map(run => {
    const row: Record<string, unknown> = {
      [RUN_ID_FIELD]: run.id,
      name: run.name,
      startedAt: run.startedAt,
      value: finiteMetric(run, metric)
    };
    params.forEach((param, index) => {
      row[paramField(index)] = scalarText(paramValue(run, param));
    });
    return row;
  });
  const x = {
    field: 'startedAt',
    type: 'temporal' as const,
    title: trans.__('Run started')
  };
  const y = {
    field: 'value',
    type: 'quantitative' as const,
    title: chartLabel(metric),
    scale: { zero: false }
  };
  return {
    ...baseSpec(options),
    data: { values },
    layer: [
      {
        mark: { type: 'line', opacity: 0.3 },
        encoding: { x, y }
      },
      {
        params: [runSelectionParam(true)],
        mark: { type: 'point', filled: true, size: 60, cursor: 'pointer' },
        encoding: {
          x,
          y,
          opacity: selectionOpacity(0.3),
          tooltip: [
            { field: 'name', type: 'nominal', title: titles[0] },
            { field: 'value', type: 'quantitative', title: titles[1] },
            {
              field: 'startedAt',
              type: 'temporal',
              title: titles[2],
              format: TIME_FORMAT
            },
            ...params.map((_, index) => ({
              field: paramField(index),
              type: 'nominal' as const,
              title: titles[3 + index]
            }))
          ]
        }
      }
    ]
  };
}

/**
 * The runs a trend of `metric` plots, oldest first: those with a finite
 * value, the newest `maxRuns` of them.
 */
export function trendRuns(
  runs: readonly Runs.RunSummary[],
  metric: string,
  maxRuns = Infinity
): Runs.RunSummary[] {
  const plotted = runs
    .filter(run => finiteMetric(run, metric) !== null)
    .sort(byStart);
  return plotted.length > maxRuns
    ? plotted.slice(plotted.length - maxRuns)
    : plotted;
}

/**
 * A metric against its step, one line per run, overlaid: the compare view's
 * and the run detail's chart.
 *
 * Each series is downsampled (spikes kept) to `maxPointsPerRun`. NaN and
 * ±Infinity have no place on the axis: they break the line, so a run that
 * diverged shows a gap from where it did. Lines are coloured by run, named in
 * the legend (runs with the same name are numbered).
 */
export function metricStepsSpec(
  series: readonly StepSeries[],
  metric: string,
  options: StepsOptions
): TopLevelSpec {
  const { trans } = options;
  const maxPoints = options.maxPointsPerRun ?? DEFAULT_MAX_POINTS;
  const labels = uniqueLabels(series.map(run => run.runName));
  const values: Record<string, unknown>[] = [];
  series.forEach((run, index) => {
    for (const point of downsample(run.points, maxPoints)) {
      const finite = Number.isFinite(point.y);
      values.push({
        [RUN_ID_FIELD]: run.runId,
        run: labels[index],
        step: point.x,
        value: finite ? point.y : null,
        logged: String(point.y)
      });
    }
  });
  const titles = uniqueLabels([trans.__('Run'), trans.__('Step'), metric]);
  const tooltipPoints =
    values.length <= (options.maxTooltipPoints ?? DEFAULT_MAX_TOOLTIP_POINTS);
  return {
    ...baseSpec(options),
    data: { values },
    mark: {
      type: 'line',
      interpolate: 'linear',
      invalid: 'break-paths-show-domains',
      // Invisible points carry a tooltip per point; `transparent` is the
      // documented way to hover points without drawing them.
      point: tooltipPoints ? 'transparent' : false,
      tooltip: tooltipPoints
    },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: titles[1] },
      y: {
        field: 'value',
        type: 'quantitative',
        title: chartLabel(metric),
        scale: { zero: false }
      },
      color: {
        field: 'run',
        type: 'nominal',
        title: titles[0],
        // The series' order, not the alphabet, so a run keeps its colour
        // while the compare adds runs after it.
        scale: { domain: labels }
      },
      tooltip: [
        { field: 'run', type: 'nominal', title: titles[0] },
        { field: 'step', type: 'quantitative', title: titles[1] },
        { field: 'logged', type: 'nominal', title: titles[2] }
      ]
    }
  };
}

/**
 * A metric against one parameter, a point per run; a click selects a run.
 * A numeric parameter gets a continuous axis, any other one category per
 * value. Runs lacking the parameter or a finite metric value are left out.
 */
export function scatterSpec(
  runs: readonly Runs.RunSummary[],
  param: string,
  metric: string,
  options: ChartOptions
): TopLevelSpec {
  const { trans } = options;
  const plotted = runs.filter(
    run =>
      finiteMetric(run, metric) !== null && paramValue(run, param) !== undefined
  );
  const numeric = isNumericAxis(plotted.map(run => paramValue(run, param)));
  const values = plotted.map(run => {
    const value = paramValue(run, param);
    return {
      [RUN_ID_FIELD]: run.id,
      name: run.name,
      param: numeric ? value : scalarText(value),
      value: finiteMetric(run, metric)
    };
  });
  const titles = uniqueLabels([trans.__('Run'), param, metric]);
  return {
    ...baseSpec(options),
    data: { values },
    params: [runSelectionParam(true)],
    mark: { type: 'point', filled: true, size: 60, cursor: 'pointer' },
    encoding: {
      x: numeric
        ? {
            field: 'param',
            type: 'quantitative',
            title: chartLabel(param),
            scale: { zero: false }
          }
        : {
            field: 'param',
            type: 'nominal',
            title: chartLabel(param),
            sort: 'ascending'
          },
      y: {
        field: 'value',
        type: 'quantitative',
        title: chartLabel(metric),
        scale: { zero: false }
      },
      opacity: selectionOpacity(0.3),
      tooltip: [
        { field: 'name', type: 'nominal', title: titles[0] },
        {
          field: 'param',
          type: numeric ? 'quantitative' : 'nominal',
          title: titles[1]
        },
        { field: 'value', type: 'quantitative', title: titles[2] }
      ]
    }
  };
}
