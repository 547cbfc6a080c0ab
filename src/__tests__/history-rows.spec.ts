import { compileQuery, parseQuery } from '../history/query';
import type { RunRow } from '../history/rows';
import {
  changedParams,
  DEFAULT_SORT,
  deriveRows,
  durationOf,
  foldDerived,
  metricChange,
  nextSort,
  primaryMetrics,
  sortRows,
  visibleRows
} from '../history/rows';
import { rowWindow, scrollToRow } from '../history/window';
import type { Runs } from '../tokens';
import { runSummary } from './capture-fakes';

const T0 = Date.UTC(2024, 4, 6, 7, 0, 0);
const MINUTE = 60_000;

function ids(rows: readonly RunRow[]): string[] {
  return rows.map(row => row.run.id);
}

describe('rows', () => {
  describe('#durationOf()', () => {
    it.each([
      ['an ended run', { endedAt: T0 + 90_000 }, 90],
      ['a running run, to now', { status: 'running' as const }, 300],
      [
        'a run that ended without an end time',
        { status: 'crashed' as const },
        null
      ]
    ])('should measure %s', (_, fields, seconds) => {
      const run = runSummary({
        id: 'r',
        startedAt: T0,
        endedAt: null,
        ...fields
      });
      expect(durationOf(run, T0 + 5 * MINUTE)).toBe(seconds);
    });
  });

  describe('#changedParams()', () => {
    it('should list changed, added and dropped parameters', () => {
      expect(
        changedParams(
          { seed: 69, lr: 0.1, solver: 'adam' },
          { seed: 42, lr: 0.1, depth: 3 }
        )
      ).toEqual([
        { name: 'seed', before: 69, after: 42 },
        { name: 'depth', before: undefined, after: 3 },
        { name: 'solver', before: 'adam', after: undefined }
      ]);
    });

    it('should see no change between equal values, null included', () => {
      expect(changedParams({ a: null, b: 'x' }, { a: null, b: 'x' })).toEqual(
        []
      );
    });
  });

  describe('#deriveRows()', () => {
    it('should compare each run with the previous run of its notebook by start time', () => {
      const runs = [
        runSummary({ id: 'a3', startedAt: T0 + 3, params: { seed: 42 } }),
        runSummary({
          id: 'b1',
          notebookPath: 'other.ipynb',
          startedAt: T0 + 2,
          params: { seed: 1 }
        }),
        runSummary({ id: 'a1', startedAt: T0 + 1, params: { seed: 69 } }),
        runSummary({ id: 'a2', startedAt: T0 + 2, params: { seed: 69 } })
      ];
      const rows = deriveRows(runs, T0);
      expect(ids(rows)).toEqual(['a3', 'b1', 'a1', 'a2']);
      expect(rows.map(row => row.changes)).toEqual([
        [{ name: 'seed', before: 69, after: 42 }],
        [],
        [],
        []
      ]);
    });

    it('should show one change once: what passed the seed on folds under it', () => {
      const runs = [
        runSummary({
          id: 'a1',
          startedAt: T0 + 1,
          params: {
            seed: 69,
            'train_test_split.random_state': 69,
            'model.random_state': 69,
            'model.n_estimators': 50
          }
        }),
        runSummary({
          id: 'a2',
          startedAt: T0 + 2,
          params: {
            seed: 42,
            'train_test_split.random_state': 42,
            'model.random_state': 42,
            'model.n_estimators': 50
          }
        })
      ];
      expect(deriveRows(runs, T0)[1].changes).toEqual([
        {
          name: 'seed',
          before: 69,
          after: 42,
          derived: ['train_test_split.random_state', 'model.random_state']
        }
      ]);
    });

    it.each([
      [
        'a keyword changed to another value than the variable',
        { seed: 69, 'model.random_state': 1 },
        { seed: 42, 'model.random_state': 2 },
        ['seed', 'model.random_state']
      ],
      [
        'two variables changed alike',
        { depth: 2, heads: 2 },
        { depth: 3, heads: 3 },
        ['depth', 'heads']
      ],
      [
        'a keyword whose variable did not change',
        { seed: 42, 'model.random_state': 69 },
        { seed: 42, 'model.random_state': 42 },
        ['model.random_state']
      ]
    ])('should keep %s as its own change', (_, before, after, names) => {
      expect(
        foldDerived(changedParams(before, after)).map(c => c.name)
      ).toEqual(names);
    });

    it('should give running runs a live duration', () => {
      const run = runSummary({ id: 'r', status: 'running', startedAt: T0 });
      expect(deriveRows([run], T0 + MINUTE)[0].duration).toBe(60);
      expect(deriveRows([run], T0 + 2 * MINUTE)[0].duration).toBe(120);
    });

    it('should read each run a bounded number of times for 10,000 runs (linear)', () => {
      let reads = 0;
      const runs: Runs.RunSummary[] = [];
      for (let i = 10_000; i > 0; i--) {
        const run = runSummary({ id: `r${i}`, startedAt: T0 + i * MINUTE });
        const params = { seed: i % 7, lr: 0.1 };
        Object.defineProperty(run, 'params', {
          get: () => {
            reads++;
            return params;
          }
        });
        runs.push(run);
      }
      const rows = deriveRows(runs, T0);
      expect(rows).toHaveLength(10_000);
      expect(rows[0].changes).toEqual([{ name: 'seed', before: 3, after: 4 }]);
      // Each run is compared with its predecessor once: two reads per run.
      expect(reads).toBeLessThanOrEqual(2 * runs.length);
    });
  });

  describe('#metricChange()', () => {
    const rowsOf = (...metrics: Runs.RunSummary['metrics'][]) =>
      deriveRows(
        metrics
          .map((values, index) =>
            runSummary({
              id: `r${index + 1}`,
              name: `run-${index + 1}`,
              startedAt: T0 + index * MINUTE,
              metrics: values
            })
          )
          .reverse(),
        T0
      );

    it('should measure the main metric against the previous run of the notebook', () => {
      const [newer, older] = rowsOf({ accuracy: 0.8 }, { accuracy: 0.82 });
      const change = metricChange(newer, 'accuracy');
      expect(change?.delta).toBeCloseTo(0.02);
      expect(change?.relative).toBeCloseTo(0.025);
      expect(change?.previous.name).toBe('run-1');
      // A notebook's first run has nothing to be measured against.
      expect(metricChange(older, 'accuracy')).toBeNull();
    });

    it.each([
      ['the previous run lacks it', {}, { loss: 1 }],
      ['this run lacks it', { loss: 1 }, {}],
      ['a value is not a finite number', { loss: 1 }, { loss: NaN }],
      ['a value is null', { loss: null }, { loss: 1 }]
    ])('should give no change when %s', (_, before, after) => {
      const [newer] = rowsOf(before, after);
      expect(metricChange(newer, 'loss')).toBeNull();
    });

    it('should give no relative change against a previous value of 0', () => {
      const [newer] = rowsOf({ loss: 0 }, { loss: 0.5 });
      expect(metricChange(newer, 'loss')).toMatchObject({
        delta: 0.5,
        relative: null
      });
    });
  });

  describe('#primaryMetrics()', () => {
    const runs = [
      runSummary({ id: 'r2', startedAt: T0 + 2, metrics: { acc: 1, rmse: 2 } }),
      runSummary({ id: 'r1', startedAt: T0 + 1, metrics: { loss: 1, rmse: 3 } })
    ];

    it('should default to the first metrics logged', () => {
      expect(primaryMetrics(runs, null)).toEqual(['loss', 'rmse']);
      expect(primaryMetrics(runs, null, 3)).toEqual(['loss', 'rmse', 'acc']);
    });

    it('should keep the chosen metrics, even ones not logged yet', () => {
      expect(primaryMetrics(runs, ['acc', 'f1'])).toEqual(['acc', 'f1']);
    });

    it('should be empty without runs', () => {
      expect(primaryMetrics([], null)).toEqual([]);
    });
  });

  describe('#sortRows()', () => {
    const rows = deriveRows(
      [
        runSummary({
          id: 'a',
          name: 'run-10',
          startedAt: T0 + 1,
          metrics: { rmse: 2 }
        }),
        runSummary({ id: 'b', name: 'run-9', startedAt: T0 + 2, metrics: {} }),
        runSummary({
          id: 'c',
          name: 'run-2',
          startedAt: T0 + 3,
          metrics: { rmse: 1 }
        }),
        runSummary({
          id: 'd',
          name: 'run-2',
          startedAt: T0 + 4,
          metrics: { rmse: null }
        }),
        runSummary({
          id: 'e',
          name: 'run-1',
          startedAt: T0 + 5,
          status: 'failed',
          metrics: { rmse: 2 }
        })
      ],
      T0
    );

    it.each([
      ['started', 'descending', ['e', 'd', 'c', 'b', 'a']],
      ['name', 'ascending', ['e', 'c', 'd', 'b', 'a']],
      ['name', 'descending', ['a', 'b', 'c', 'd', 'e']],
      ['metrics.rmse', 'ascending', ['c', 'a', 'e', 'b', 'd']],
      ['metrics.rmse', 'descending', ['a', 'e', 'c', 'b', 'd']],
      ['status', 'ascending', ['e', 'a', 'b', 'c', 'd']]
    ] as const)(
      'should sort by %s %s, stable, missing values last',
      (column, direction, expected) => {
        expect(ids(sortRows(rows, { column, direction }))).toEqual(expected);
      }
    );
  });

  describe('#visibleRows()', () => {
    const rows = deriveRows(
      [
        runSummary({
          id: 'r4',
          startedAt: T0 + 4,
          params: { seed: 69 },
          metrics: { rmse: 6.5 }
        }),
        runSummary({
          id: 'r3',
          startedAt: T0 + 3,
          archived: true,
          params: { seed: 69 }
        }),
        runSummary({
          id: 'r2',
          startedAt: T0 + 2,
          pinned: true,
          status: 'failed'
        }),
        runSummary({
          id: 'r1',
          startedAt: T0 + 1,
          params: { seed: 69 },
          metrics: { rmse: 7 },
          tags: { model: 'xgboost' }
        })
      ],
      T0
    );

    function predicate(text: string) {
      const result = parseQuery(text);
      if (!result.ok) {
        throw new Error(result.error.message);
      }
      return compileQuery(result.query, { now: T0 });
    }

    it('should put pinned runs first and hide archived ones', () => {
      expect(
        ids(visibleRows(rows, { sort: DEFAULT_SORT, showArchived: false }))
      ).toEqual(['r2', 'r4', 'r1']);
      expect(
        ids(visibleRows(rows, { sort: DEFAULT_SORT, showArchived: true }))
      ).toEqual(['r2', 'r4', 'r3', 'r1']);
    });

    it.each([
      ['params.seed = 69 and metrics.rmse < 6.6', ['r4']],
      ['tags.model = "xgboost"', ['r1']],
      ['status = failed', ['r2']],
      ['params.seed = 69', ['r4', 'r1']]
    ])('should keep the runs matching %s', (query, expected) => {
      expect(
        ids(
          visibleRows(rows, {
            sort: DEFAULT_SORT,
            showArchived: false,
            predicate: predicate(query)
          })
        )
      ).toEqual(expected);
    });
  });

  describe('#nextSort()', () => {
    it('should turn the sort column round, and start others in their natural direction', () => {
      expect(nextSort(DEFAULT_SORT, 'started')).toEqual({
        column: 'started',
        direction: 'ascending'
      });
      expect(nextSort(DEFAULT_SORT, 'name').direction).toBe('ascending');
      expect(nextSort(DEFAULT_SORT, 'duration').direction).toBe('descending');
    });
  });
});

describe('window', () => {
  describe('#rowWindow()', () => {
    it.each([
      // scrollTop, viewport, count, start, end
      [0, 240, 10_000, 0, 16],
      [2400, 240, 10_000, 95, 116],
      [24 * 9_995, 240, 10_000, 9_990, 10_000],
      [0, 240, 3, 0, 3],
      [0, 240, 0, 0, 0]
    ])(
      'should render rows around scrollTop %i in a %ipx viewport of %i rows',
      (scrollTop, viewport, count, start, end) => {
        const window = rowWindow(scrollTop, viewport, 24, count, 5);
        expect([window.start, window.end]).toEqual([start, end]);
        expect(window.before).toBe(start * 24);
        expect(window.after).toBe((count - end) * 24);
      }
    );
  });

  describe('#scrollToRow()', () => {
    it('should move as little as needed to show the row', () => {
      expect(scrollToRow(5, 0, 240, 24)).toBe(0);
      expect(scrollToRow(10, 0, 240, 24)).toBe(24);
      expect(scrollToRow(2, 240, 240, 24)).toBe(48);
    });
  });
});
