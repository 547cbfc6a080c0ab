import { nullTranslator } from '@jupyterlab/translation';
import { DisposableSet } from '@lumino/disposable';

import { downsample } from '../charts/downsample';
import { metricStepsSpec } from '../charts/specs';
import type { StoredRun } from '../store/reader';
import type { RunStore } from '../store/store';
import type { IRunsSettings, Runs } from '../tokens';
import { createSettingRegistry, resolveRunsSettings } from './helpers';
import { KernelEvents } from './store-events';
import {
  createTestStore,
  FakeJupyterServer,
  installCompression,
  installWebCrypto
} from './store-server';

const NOTEBOOK = 'metrics.ipynb';
const trans = nullTranslator.load('jupyterlab_runs');

/**
 * Values a kernel (or anything posing as one) may put in a metric point,
 * and what the store gives back: the value, or undefined when the point
 * is refused.
 */
const VALUES: [string, unknown, StoredRun.MetricPoint[0] | undefined][] = [
  ['a number', 0.5, 0.5],
  ['NaN as text', 'NaN', 'NaN'],
  ['Infinity as text', 'Infinity', 'Infinity'],
  ['-Infinity as text', '-Infinity', '-Infinity'],
  ['NaN', NaN, 'NaN'],
  ['Infinity', Infinity, 'Infinity'],
  ['-Infinity', -Infinity, '-Infinity'],
  ['1e308', 1e308, 1e308],
  ['-1e308', -1e308, -1e308],
  ['the smallest number', 5e-324, 5e-324],
  ['-0', -0, 0],
  ['another string', 'abc', undefined],
  ['a number as text', '1.5', undefined],
  ['true', true, undefined],
  ['false', false, undefined],
  ['null', null, undefined],
  ['an object', { value: 1 }, undefined],
  ['an array', [1], undefined],
  ['undefined', undefined, undefined]
];

describe('RunStore', () => {
  describe('fuzzed metric values', () => {
    let settings: IRunsSettings;
    let server: FakeJupyterServer;
    let store: RunStore;
    let warn: jest.SpyInstance;
    /** Other pages over the same server, disposed after each test. */
    let pages: DisposableSet;

    beforeAll(() => {
      installWebCrypto();
      installCompression();
    });

    beforeEach(async () => {
      settings = await resolveRunsSettings(createSettingRegistry());
      server = new FakeJupyterServer();
      store = createTestStore(server, settings);
      pages = new DisposableSet();
      warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    });

    afterEach(() => {
      pages.dispose();
      store.dispose();
      warn.mockRestore();
    });

    /**
     * Record a run whose metric `m` has the points given (value, step,
     * time in epoch seconds), between two good points.
     */
    async function recordPoints(points: unknown[][]): Promise<void> {
      const kernel = new KernelEvents();
      const metric = (values: unknown[][]): Runs.KernelEvent => ({
        ...kernel.metric('run-1', 'm', []),
        points: values
      });
      store.addEvents(NOTEBOOK, [
        kernel.session_(),
        kernel.runStart('run-1', { seed: 1 }),
        kernel.metric('run-1', 'm', [1]),
        metric(points),
        kernel.metric('run-1', 'm', [2], 10),
        kernel.runEnd('run-1')
      ]);
      await store.flush();
    }

    async function readBack(): Promise<StoredRun.Run> {
      const list = await store.listRuns(NOTEBOOK);
      expect(list.problems).toEqual([]);
      expect(list.runs.map(run => run.status)).toEqual(['finished']);
      // A fresh page reads what was written.
      const other = createTestStore(server, settings);
      pages.add(other);
      const { value, problems } = await other.readRun(NOTEBOOK, 'run-1');
      expect(problems).toEqual([]);
      return value!;
    }

    it.each(VALUES)(
      'should store %s sensibly or refuse it with a warning',
      async (_, value, stored) => {
        await recordPoints([[value, 5, 1_700_000_000.5, 1]]);
        const run = await readBack();
        const values = run.metrics
          .find(m => m.name === 'm')!
          .points.map(point => point[0]);
        if (stored === undefined) {
          expect(values).toEqual([1, 2]);
          expect(warn).toHaveBeenCalledWith(
            expect.stringMatching(/1 metric point/)
          );
        } else {
          expect(values).toEqual([1, stored, 2]);
          expect(warn).not.toHaveBeenCalled();
        }
      }
    );

    it.each([
      ['a huge time', [0.5, 1, 1e308, 1]],
      ['a negative huge time', [0.5, 1, -1e308, 1]],
      ['a time as text', [0.5, 1, '1700000000', 1]],
      ['a NaN time', [0.5, 1, NaN, 1]],
      ['no time', [0.5, 1]],
      ['not a point', 0.5],
      ['an empty point', []]
    ])('should refuse a point with %s', async (_, point) => {
      await recordPoints([point as unknown[]]);
      const run = await readBack();
      expect(run.metrics[0].points.map(p => p[0])).toEqual([1, 2]);
      for (const [, , time] of run.metrics[0].points) {
        expect(Number.isFinite(time)).toBe(true);
      }
      expect(warn).toHaveBeenCalled();
    });

    it.each([
      ['a huge step', 1e308, null],
      ['a fractional step', 1.5, null],
      ['a step as text', '3', null],
      ['a negative step', -3, -3],
      ['an unsafe step', 2 ** 60, null]
    ])('should keep a point with %s', async (_, step, stored) => {
      await recordPoints([[0.5, step, 1_700_000_000.5, 1]]);
      const run = await readBack();
      const point = run.metrics[0].points[1];
      expect(point[0]).toBe(0.5);
      expect(point[1]).toBe(stored);
    });

    it('should refuse an event whose time is beyond any date', async () => {
      const kernel = new KernelEvents();
      store.addEvents(NOTEBOOK, [
        kernel.session_(),
        kernel.runStart('run-1'),
        kernel.metric('run-1', 'm', [1]),
        { ...kernel.metric('run-1', 'm', [2]), time: 1e308 }
      ]);
      await store.flush();
      const list = await store.listRuns(NOTEBOOK);
      expect(list.problems).toEqual([]);
      expect(list.runs.map(run => run.id)).toEqual(['run-1']);
      const { value } = await store.readRun(NOTEBOOK, 'run-1');
      expect(Number.isFinite(value!.updatedAt)).toBe(true);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/"time"/));
    });

    it('should keep a long series of every kind of value whole', async () => {
      const values: unknown[] = [];
      for (let i = 0; i < 3000; i++) {
        values.push(
          [Math.sin(i), 'NaN', 'Infinity', '-Infinity', 1e308, -1e308, NaN][
            i % 7
          ]
        );
      }
      await recordPoints(
        values.map((value, i) => [value, 100 + i, 1_700_000_001, 1])
      );
      const list = await store.listRuns(NOTEBOOK);
      expect(list.problems).toEqual([]);
      const { value, problems } = await store.readRun(NOTEBOOK, 'run-1', {
        allPoints: true
      });
      expect(problems).toEqual([]);
      const metric = value!.metrics[0];
      expect(metric.points).toHaveLength(3002);
      expect(metric.min).toBe(-1e308);
      expect(metric.max).toBe(1e308);
      expect(metric.count).toBe(3002);
    });

    describe('charts', () => {
      const weird: StoredRun.MetricPoint[][] = [
        [],
        [['NaN', 0, 0, null]],
        [
          ['Infinity', 0, 0, null],
          ['-Infinity', 1, 0, null]
        ],
        [
          [1e308, 0, 0, null],
          [-1e308, 1, 0, null],
          [-0, 2, 0, null],
          [5e-324, 1e308, 0, null]
        ],
        Array.from({ length: 5000 }, (_, i): StoredRun.MetricPoint => [
          (['NaN', 'Infinity', '-Infinity', 1e308, -0, i] as const)[i % 6],
          i % 3 === 0 ? null : i,
          0,
          null
        ]),
        // Out of order, with repeated and missing steps.
        Array.from({ length: 2500 }, (_, i): StoredRun.MetricPoint => [
          i % 5 === 0 ? 'NaN' : Math.cos(i),
          i % 7 === 0 ? null : (i * 7919) % 1000,
          0,
          null
        ])
      ];

      it.each(weird.map((points, i) => [i, points]))(
        'should draw series %s without NaN on an axis',
        (_, points) => {
          for (const max of [0, 1, 2, 3, 10, 1000]) {
            const sampled = downsample(points, max);
            expect(sampled.length).toBeLessThanOrEqual(
              Math.max(
                points.length <= Math.max(2, max) ? points.length : 0,
                max,
                2
              )
            );
            for (const point of sampled) {
              expect(Number.isFinite(point.x)).toBe(true);
            }
          }
          const spec = metricStepsSpec(
            [
              { runId: 'run-1', runName: 'a', points },
              { runId: 'run-2', runName: 'a', points: points.slice(0, 3) }
            ],
            'm',
            { trans }
          );
          const values = (spec.data as { values: Record<string, unknown>[] })
            .values;
          for (const row of values) {
            expect(Number.isFinite(row.step)).toBe(true);
            expect(row.value === null || Number.isFinite(row.value)).toBe(true);
            expect(typeof row.logged).toBe('string');
          }
        }
      );
    });
  });
});
