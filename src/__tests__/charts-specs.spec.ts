import { nullTranslator } from '@jupyterlab/translation';

import {
  chartLabel,
  differingParams,
  isNumericAxis,
  uniqueLabels
} from '../charts/data';
import { parallelAxis, parallelCoordinatesSpec } from '../charts/parallel';
import { RUN_SELECTION, selectedRunId } from '../charts/selection';
import type { StepSeries } from '../charts/specs';
import {
  metricStepsSpec,
  runsChartSpec,
  scatterSpec,
  timeAxis,
  VEGA_LITE_SCHEMA
} from '../charts/specs';
import type { StoredRun } from '../store/reader';
import type { Runs } from '../tokens';
import { runSummary } from './capture-fakes';

const trans = nullTranslator.load('jupyterlab_runs');

/**
 * A spec as plain JSON, to read its parts without the vega-lite union types;
 * a wrong path fails the assertion it is read for.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function json(spec: unknown): Json {
  return JSON.parse(JSON.stringify(spec)) as Json;
}

const SCRIPT = '<img src=x onerror="alert(1)">';

const RUNS: Runs.RunSummary[] = [
  runSummary({
    id: 'r2',
    name: 'calm-heron-2',
    startedAt: 2000,
    params: { lr: 0.01, opt: 'adam', seed: 1 },
    metrics: { loss: 0.5, acc: 0.8 }
  }),
  runSummary({
    id: 'r1',
    name: SCRIPT,
    startedAt: 1000,
    params: { lr: 0.1, opt: 'sgd', seed: 1, 'a.b': 3 },
    metrics: { loss: 0.9, acc: 0.7 }
  }),
  runSummary({
    id: 'r3',
    name: 'no-loss',
    startedAt: 3000,
    params: { lr: 1, opt: 'adam', seed: 1 },
    metrics: { loss: null, acc: 0.1 }
  })
];

describe('charts/data', () => {
  describe('differingParams()', () => {
    it('should list the parameters not equal in every run, missing ones included', () => {
      expect(differingParams(RUNS)).toEqual(['lr', 'opt', 'a.b']);
    });

    it('should list none for a single run', () => {
      expect(differingParams([RUNS[0]])).toEqual([]);
    });
  });

  describe('uniqueLabels()', () => {
    it('should number repeated labels', () => {
      expect(uniqueLabels(['lr', 'loss', 'lr', 'lr'])).toEqual([
        'lr',
        'loss',
        'lr (2)',
        'lr (3)'
      ]);
    });
  });

  describe('chartLabel()', () => {
    it('should turn line breaks and control characters into spaces', () => {
      expect(chartLabel('a\nb\u2028c\u2029d\te')).toBe('a b c d e');
    });
  });

  describe('isNumericAxis()', () => {
    it.each([
      [[1, 2, undefined, null], true],
      [[1, 'a'], false],
      [[true, false], false],
      [[undefined, null], false],
      [[], false]
    ] as const)('should tell %p is numeric: %p', (values, expected) => {
      expect(isNumericAxis(values)).toBe(expected);
    });
  });
});

describe('charts/selection', () => {
  describe('selectedRunId()', () => {
    it.each([
      [{ runId: ['r1'] }, 'r1'],
      [{ runId: 'r2' }, 'r2'],
      [{}, null],
      [null, null],
      [{ runId: [42] }, null]
    ])('should read %p as %p', (value, expected) => {
      expect(selectedRunId(value)).toBe(expected);
    });
  });
});

describe('charts/specs', () => {
  describe('runsChartSpec()', () => {
    const spec = json(runsChartSpec(RUNS, 'loss', { trans }));

    it('should plot the runs with a finite value, by start time', () => {
      expect(spec.$schema).toBe(VEGA_LITE_SCHEMA);
      expect(spec.data.values.map((row: Json) => row.runId)).toEqual([
        'r1',
        'r2'
      ]);
      expect(spec.data.values[0]).toMatchObject({
        runId: 'r1',
        name: SCRIPT,
        startedAt: 1000,
        value: 0.9
      });
    });

    it('should plot only the newest runs when told how many', () => {
      const many = Array.from({ length: 30 }, (_, index) =>
        runSummary({
          id: `r${index}`,
          startedAt: 1000 + ((index * 7) % 30),
          metrics: { loss: index }
        })
      );
      const newest = json(
        runsChartSpec(many, 'loss', { trans, maxRuns: 10 })
      ).data.values.map((row: Json) => row.startedAt);

      expect(newest).toEqual(Array.from({ length: 10 }, (_, i) => 1020 + i));
    });

    it('should put x on the start time and y on the metric', () => {
      const points = spec.layer[1];
      expect(points.mark.type).toBe('point');
      expect(points.encoding.x).toMatchObject({
        field: 'startedAt',
        type: 'temporal'
      });
      expect(points.encoding.y).toMatchObject({
        field: 'value',
        type: 'quantitative',
        title: 'loss'
      });
    });

    it('should select a run by id on click', () => {
      expect(spec.layer[1].params).toEqual([
        {
          name: RUN_SELECTION,
          select: {
            type: 'point',
            fields: ['runId'],
            on: 'click',
            clear: 'dblclick',
            toggle: false,
            nearest: true
          }
        }
      ]);
      expect(spec.layer[1].encoding.opacity.condition).toMatchObject({
        param: RUN_SELECTION
      });
    });

    it('should show name, value, start and the differing params in the tooltip', () => {
      const tooltip = spec.layer[1].encoding.tooltip;
      expect(tooltip.map((field: Json) => field.title)).toEqual([
        'Run',
        'loss',
        'Started',
        'lr',
        'opt',
        'a.b'
      ]);
    });

    it('should keep parameter names out of field names', () => {
      const tooltip = spec.layer[1].encoding.tooltip;
      const fields = tooltip.map((field: Json) => field.field);
      expect(fields).toEqual(['name', 'value', 'startedAt', 'p0', 'p1', 'p2']);
      expect(spec.data.values[0]).toMatchObject({ p0: '0.1', p2: '3' });
      expect(spec.data.values[1]).toMatchObject({ p0: '0.01', p2: '' });
    });

    it('should have no field or setting that renders HTML or loads a URL', () => {
      const text = JSON.stringify(spec);
      expect(text).not.toMatch(/"href"|"html"|"url"|"image"/);
    });
    it("should draw on the panel's background, with no box of its own", () => {
      expect(spec.background).toBe('transparent');
    });

    it('should name the run of each point on hover', () => {
      expect(spec.layer[1].encoding.tooltip[0]).toEqual({
        field: 'name',
        type: 'nominal',
        title: 'Run'
      });
    });

    it('should keep the time axis to a few labels that do not overlap', () => {
      expect(spec.layer[1].encoding.x.axis).toMatchObject({
        values: [1000, 2000],
        labelOverlap: 'greedy',
        labelFlush: true
      });
    });
  });

  describe('timeAxis()', () => {
    const T = Date.UTC(2026, 11, 7, 21, 0, 0);
    it.each([
      ['seconds apart', [T, T + 20_000], '%H:%M:%S'],
      ['hours apart', [T, T + 3 * 3600_000], '%H:%M'],
      ['days apart', [T, T + 3 * 86400_000], '%b %d'],
      ['years apart', [T, T + 800 * 86400_000], '%Y-%m-%d'],
      ['a single run', [T], '%H:%M:%S']
    ])('should write times of runs %s as %s', (_, times, format) => {
      expect(timeAxis(times).format).toBe(format);
    });
  });

  describe('metricStepsSpec()', () => {
    function points(
      values: StoredRun.MetricPoint[0][]
    ): StoredRun.MetricPoint[] {
      return values.map((value, i) => [value, i, 0, null]);
    }

    const series: StepSeries[] = [
      { runId: 'r1', runName: 'a', points: points([3, 2, 'NaN', 1]) },
      { runId: 'r2', runName: 'a', points: points([5, 'Infinity', 4]) }
    ];

    it('should draw one line per run, coloured in series order', () => {
      const spec = json(metricStepsSpec(series, 'loss', { trans }));
      expect(spec.mark).toMatchObject({
        type: 'line',
        invalid: 'break-paths-show-domains'
      });
      expect(spec.encoding.x).toMatchObject({ field: 'step' });
      expect(spec.encoding.y).toMatchObject({ field: 'value', title: 'loss' });
      expect(spec.encoding.color).toMatchObject({
        field: 'run',
        scale: { domain: ['a', 'a (2)'] }
      });
      expect(spec.data.values).toHaveLength(7);
    });

    it('should break the line at non-finite values and show them in the tooltip', () => {
      const spec = json(metricStepsSpec(series, 'loss', { trans }));
      const rows = spec.data.values;
      expect(rows[2]).toEqual({
        runId: 'r1',
        run: 'a',
        step: 2,
        value: null,
        logged: 'NaN'
      });
      expect(rows[5]).toMatchObject({ value: null, logged: 'Infinity' });
    });

    it('should downsample each run to the bound', () => {
      const long: StepSeries = {
        runId: 'r9',
        runName: 'long',
        points: points(Array.from({ length: 10_000 }, (_, i) => i))
      };
      const spec = json(
        metricStepsSpec([long, long], 'loss', { trans, maxPointsPerRun: 100 })
      );
      expect(spec.data.values.length).toBeLessThanOrEqual(200);
    });

    it('should give points a tooltip only while there are few', () => {
      const few = json(metricStepsSpec(series, 'loss', { trans }));
      expect(few.mark.point).toBe('transparent');
      const many = json(
        metricStepsSpec(series, 'loss', { trans, maxTooltipPoints: 3 })
      );
      expect(many.mark.point).toBe(false);
      expect(many.mark.tooltip).toBe(false);
    });
  });

  describe('scatterSpec()', () => {
    it('should put a numeric parameter on a continuous axis', () => {
      const spec = json(scatterSpec(RUNS, 'lr', 'acc', { trans }));
      expect(spec.encoding.x).toMatchObject({
        field: 'param',
        type: 'quantitative',
        title: 'lr'
      });
      expect(spec.data.values.map((row: Json) => row.param)).toEqual([
        0.01, 0.1, 1
      ]);
      expect(spec.params[0].name).toBe(RUN_SELECTION);
    });

    it('should put any other parameter on a categorical axis', () => {
      const spec = json(scatterSpec(RUNS, 'opt', 'acc', { trans }));
      expect(spec.encoding.x).toMatchObject({ type: 'nominal' });
    });

    it.each([
      ['seed'],
      ['random_state'],
      ['model.random_state'],
      ['torch.manual_seed'],
      ['run_id'],
      ['user.id'],
      ['datasetId']
    ])(
      'should put %s, whose numbers are labels, on a categorical axis',
      name => {
        const runs = [69, 42, 7].map((value, index) =>
          runSummary({
            id: `r${index}`,
            params: { [name]: value },
            metrics: { acc: 0.8 + index / 100 }
          })
        );
        const spec = json(scatterSpec(runs, name, 'acc', { trans }));
        expect(spec.encoding.x).toMatchObject({ type: 'nominal' });
        expect(spec.data.values.map((row: Json) => row.param)).toEqual([
          '69',
          '42',
          '7'
        ]);
        // Each point names its run on hover.
        expect(spec.encoding.tooltip[0]).toMatchObject({ field: 'name' });
      }
    );

    it.each([['alpha'], ['n_estimators'], ['width'], ['valid']])(
      'should keep %s, a measure, on a continuous axis',
      name => {
        const runs = [1, 2].map(value =>
          runSummary({
            id: `r${value}`,
            params: { [name]: value },
            metrics: { acc: value }
          })
        );
        const spec = json(scatterSpec(runs, name, 'acc', { trans }));
        expect(spec.encoding.x).toMatchObject({ type: 'quantitative' });
      }
    );

    it('should leave out runs without the parameter or the metric', () => {
      const spec = json(scatterSpec(RUNS, 'a.b', 'loss', { trans }));
      expect(spec.data.values.map((row: Json) => row.runId)).toEqual(['r1']);
    });
  });
});

describe('charts/parallel', () => {
  describe('parallelAxis()', () => {
    it('should normalise numbers between their min and max', () => {
      const axis = parallelAxis('lr', [0.1, 0.3, undefined, 0.5]);
      expect(axis.positions[0]).toBe(0);
      expect(axis.positions[1]).toBeCloseTo(0.5);
      expect(axis.positions[2]).toBeNull();
      expect(axis.positions[3]).toBe(1);
      expect(axis.ticks).toEqual([
        { position: 0, text: '0.1' },
        { position: 1, text: '0.5' }
      ]);
    });

    it('should put a constant in the middle', () => {
      expect(parallelAxis('seed', [1, 1]).positions).toEqual([0.5, 0.5]);
    });

    it('should spread categories evenly in sorted order', () => {
      const axis = parallelAxis('opt', ['sgd', 'adam', true, 'sgd', null]);
      expect(axis.ticks.map(tick => tick.text)).toEqual([
        'adam',
        'null',
        'sgd',
        'true'
      ]);
      expect(axis.positions).toEqual([2 / 3, 0, 1, 2 / 3, 1 / 3]);
    });
  });

  describe('parallelCoordinatesSpec() with a seed', () => {
    it('should give the seed an axis of categories, one position per value', () => {
      const runs = [69, 42, 7].map((seed, index) =>
        runSummary({
          id: `r${index}`,
          params: { seed, alpha: 0.1 * (index + 1) },
          metrics: { loss: index }
        })
      );
      const spec = json(
        parallelCoordinatesSpec(runs, ['seed', 'alpha'], 'loss', { trans })
      );
      const seedTicks = spec.layer[2].data.values
        .filter((tick: Json) => tick.axis === 'seed')
        .map((tick: Json) => tick.text);
      // 7, 42, 69 evenly spaced as labels, not 42 placed near 69.
      expect(seedTicks).toEqual(['7', '42', '69']);
      const alphaTicks = spec.layer[2].data.values.filter(
        (tick: Json) => tick.axis === 'alpha'
      );
      expect(alphaTicks).toHaveLength(2);
    });
  });

  describe('parallelCoordinatesSpec()', () => {
    const spec = json(
      parallelCoordinatesSpec(RUNS, ['lr', 'opt'], 'loss', { trans })
    );

    it('should draw a line per run with a finite metric, over the axes in order', () => {
      const lines = spec.layer[1];
      expect(lines.mark.type).toBe('line');
      expect(lines.encoding.detail).toMatchObject({ field: 'runId' });
      expect(lines.encoding.x.sort).toEqual({ field: 'order', op: 'min' });
      const rows = lines.data.values;
      expect(rows).toHaveLength(2 * 3);
      expect(rows.map((row: Json) => row.axis)).toEqual([
        'lr',
        'opt',
        'loss',
        'lr',
        'opt',
        'loss'
      ]);
      for (const row of rows) {
        expect(row.position).toBeGreaterThanOrEqual(0);
        expect(row.position).toBeLessThanOrEqual(1);
      }
    });

    it('should cut long axis names to fit, and slant them when there are many', () => {
      expect(spec.layer[1].encoding.x.axis).toMatchObject({
        labelAngle: 0,
        labelLimit: 110
      });
      const many = ['a', 'b', 'c', 'd', 'e', 'f'];
      const runs = RUNS.map(run => ({
        ...run,
        params: Object.fromEntries(many.map((name, i) => [name, i]))
      }));
      const slanted = json(
        parallelCoordinatesSpec(runs, many, 'loss', { trans })
      );
      expect(slanted.layer[1].encoding.x.axis).toMatchObject({
        labelAngle: -30,
        labelAlign: 'left',
        labelLimit: 110
      });
    });

    it('should colour lines by the metric and select runs on click', () => {
      const lines = spec.layer[1];
      expect(lines.encoding.color).toMatchObject({
        field: 'metric',
        type: 'quantitative'
      });
      expect(lines.params[0].name).toBe(RUN_SELECTION);
    });

    it('should label each axis with its ticks as text marks', () => {
      const ticks = spec.layer[2];
      expect(ticks.mark.type).toBe('text');
      expect(ticks.encoding.text).toMatchObject({ field: 'text' });
      expect(ticks.data.values.map((tick: Json) => tick.text)).toEqual([
        '0.01',
        '0.1',
        'adam',
        'sgd',
        '0.5',
        '0.9'
      ]);
    });

    it('should tell a metric and a parameter of the same name apart', () => {
      const runs = [
        runSummary({ id: 'x', params: { loss: 1 }, metrics: { loss: 2 } })
      ];
      const same = json(
        parallelCoordinatesSpec(runs, ['loss'], 'loss', { trans })
      );
      expect(same.layer[0].data.values.map((row: Json) => row.axis)).toEqual([
        'loss',
        'loss (2)'
      ]);
    });
  });
});
