import type { TranslationBundle } from '@jupyterlab/translation';
import type { TopLevelSpec } from 'vega-lite';

import type { StoredRun } from '../store/reader';
import type { Runs } from '../tokens';
import {
  byStart,
  chartLabel,
  differingParams,
  finiteMetric,
  isIdentifierParam,
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
    title: trans.__('Run started'),
    axis: timeAxis(plotted.map(run => run.startedAt))
  };
  const y = {
    field: 'value',
    type: 'quantitative' as const,
    title: chartLabel(metric),
    scale: { zero: false }
  };
  return {
    ...baseSpec(options),
    // Drawn on the panel's own background: the theme's darkest layout colour
    // would be a black box in a dark sidebar.
    background: 'transparent',
    data: { values },
    layer: [
      {
        // Faint beside the points, yet visible on a dark background too.
        mark: { type: 'line', opacity: 0.5 },
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
 * A time axis that stays readable in a sidebar's width: labelled at the
 * first and the last run only, flush with the plot's ends (a label that
 * would still overlap is dropped), written as precisely as the runs' span needs: seconds for
 * runs minutes apart, hours and minutes within a day, dates beyond.
 */
export function timeAxis(times: readonly number[]) {
  const span = times.length > 0 ? Math.max(...times) - Math.min(...times) : 0;
  const format =
    span < 10 * MINUTE
      ? '%H:%M:%S'
      : span < DAY
        ? '%H:%M'
        : span < 180 * DAY
          ? '%b %d'
          : '%Y-%m-%d';
  // Only the first and the newest run's times, each flush with its end of
  // the plot: two labels fit even a narrow sidebar.
  const ends = times.length > 0 ? [Math.min(...times), Math.max(...times)] : [];
  return {
    format,
    values: [...new Set(ends)],
    labelOverlap: 'greedy' as const,
    labelSeparation: 8,
    labelFlush: true,
    labelAngle: 0,
    grid: false
  };
}

const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;

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
 * A metric against one parameter, a point per run, named on hover; a click
 * selects a run. A numeric parameter gets a continuous axis, any other (and
 * a seed or an identifier, whose numbers are labels) one category per
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
  const numeric =
    !isIdentifierParam(param) &&
    isNumericAxis(plotted.map(run => paramValue(run, param)));
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
