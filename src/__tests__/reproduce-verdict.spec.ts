import type { StoredRun } from '../store/reader';
import { storedParams, storedRun } from './stored-runs';
import { onlySeedsDiffer, seedOnlyDifference } from '../compare/seeds';
import { DEFAULT_TOLERANCE } from '../reproduce/tolerance';
import {
  changedSeeds,
  isClose,
  paramDiffers,
  reproductionVerdict
} from '../reproduce/verdict';

/**
 * A metric whose last value is `last`.
 */
function metric(
  name: string,
  last: StoredRun.Metric['last'],
  source = 'explicit'
): StoredRun.Metric {
  return {
    name,
    source,
    points: last === null ? [] : [[last, 0, 0, 1]],
    sampled: false,
    count: last === null ? 0 : 1,
    last,
    lastStep: last === null ? null : 0,
    min: typeof last === 'number' ? last : null,
    max: typeof last === 'number' ? last : null
  };
}

/**
 * A run with the given parameter values and metrics.
 */
function run(
  params: Record<string, number | string | boolean | null>,
  metrics: StoredRun.Metric[]
): StoredRun.Run {
  return storedRun({ params: storedParams(params), metrics });
}

describe('reproduction verdicts', () => {
  describe('#isClose()', () => {
    it.each([
      [1, 1, true],
      [0.1 + 0.2, 0.3, true],
      [6.61, 6.62, false],
      [0, 1e-300, false],
      ['NaN', 'NaN', true],
      ['NaN', 1, false],
      ['Infinity', 'Infinity', true],
      ['Infinity', '-Infinity', false],
      [1e308, 'Infinity', false]
    ] as const)('should find %s and %s close: %s', (a, b, close) => {
      expect(isClose(a, b, DEFAULT_TOLERANCE)).toBe(close);
    });

    it('should take the larger of the relative and absolute tolerance', () => {
      expect(isClose(100, 101, { relative: 0.01, absolute: 0 })).toBe(true);
      expect(isClose(100, 102, { relative: 0.01, absolute: 0 })).toBe(false);
      expect(isClose(0, 0.001, { relative: 0.01, absolute: 0.01 })).toBe(true);
    });
  });

  describe('#reproductionVerdict()', () => {
    it('should say a deterministic re-run reproduced', () => {
      const original = run({ seed: 42, alpha: 0.5 }, [metric('mse', 28.7)]);
      const rerun = run({ seed: 42, alpha: 0.5 }, [
        metric('mse', 28.7 * (1 + 1e-12))
      ]);
      const verdict = reproductionVerdict(original, rerun);
      expect(verdict.overall).toBe('reproduced');
      expect(verdict.metrics).toEqual([
        expect.objectContaining({ name: 'mse', outcome: 'reproduced' })
      ]);
      expect(verdict.params.map(p => p.outcome)).toEqual([
        'reproduced',
        'reproduced'
      ]);
    });

    it('should say by how much a metric differs', () => {
      const verdict = reproductionVerdict(
        run({ seed: 69 }, [metric('mse', 25)]),
        run({ seed: 69 }, [metric('mse', 30)])
      );
      expect(verdict.overall).toBe('differs');
      expect(verdict.metrics[0]).toMatchObject({
        outcome: 'differs',
        original: 25,
        rerun: 30,
        difference: 5,
        relative: 0.2
      });
    });

    it('should report metrics the re-run lacks or adds, by name and source', () => {
      const verdict = reproductionVerdict(
        run({}, [metric('rmse', 6.61, 'output'), metric('mse', 1)]),
        run({}, [metric('rmse', 6.61, 'explicit'), metric('mse', 1)])
      );
      expect(verdict.metrics.map(m => [m.name, m.source, m.outcome])).toEqual([
        ['rmse', 'output', 'missing'],
        ['mse', 'explicit', 'reproduced'],
        ['rmse', 'explicit', 'extra']
      ]);
      expect(verdict.overall).toBe('incomplete');
    });

    it('should say a parameter differs, and whether it is a seed', () => {
      const verdict = reproductionVerdict(
        run({ random_state: 69, lr: 0.1 }, [metric('loss', 1)]),
        run({ random_state: 42, lr: 0.1 }, [metric('loss', 1)])
      );
      expect(verdict.overall).toBe('differs');
      expect(verdict.params).toEqual([
        {
          name: 'random_state',
          original: 69,
          rerun: 42,
          outcome: 'differs',
          seedLike: true
        },
        {
          name: 'lr',
          original: 0.1,
          rerun: 0.1,
          outcome: 'reproduced',
          seedLike: false
        }
      ]);
    });

    it('should count a metric with no value in the re-run as missing', () => {
      const verdict = reproductionVerdict(
        run({}, [metric('loss', 0.5)]),
        run({}, [metric('loss', null)])
      );
      expect(verdict.metrics[0]).toMatchObject({
        outcome: 'missing',
        difference: null
      });
    });

    it('should compare NaN and infinities as logged', () => {
      const verdict = reproductionVerdict(
        run({}, [metric('a', 'NaN'), metric('b', 'Infinity')]),
        run({}, [metric('a', 'NaN'), metric('b', 1e308)])
      );
      expect(verdict.metrics.map(m => [m.outcome, m.difference])).toEqual([
        ['reproduced', null],
        ['differs', null]
      ]);
    });
  });

  describe('#onlySeedsDiffer()', () => {
    it.each([
      [{ seed: 69, lr: 0.1 }, { seed: 42, lr: 0.1 }, ['seed']],
      [
        { seed: 1, torch_manual_seed: 1 },
        { seed: 2, torch_manual_seed: 3 },
        ['seed', 'torch_manual_seed']
      ],
      [{ seed: 69, lr: 0.1 }, { seed: 42, lr: 0.2 }, null],
      [{ seed: 69 }, { seed: 69 }, null],
      [{ lr: 0.1 }, { lr: 0.1, random_state: 0 }, ['random_state']]
    ])('should find in %j and %j only the seeds %j', (a, b, seeds) => {
      expect(onlySeedsDiffer(a, b)).toEqual(seeds);
    });
  });

  describe('#seedOnlyDifference()', () => {
    it('should name the seeds that alone tell runs apart, with each value', () => {
      expect(
        seedOnlyDifference([
          { params: { seed: 69, lr: 0.1 } },
          { params: { seed: 42, lr: 0.1 } },
          { params: { seed: 7, lr: 0.1 } }
        ])
      ).toEqual([{ name: 'seed', values: [69, 42, 7] }]);
    });

    it('should say nothing when another parameter differs too, or nothing does', () => {
      expect(
        seedOnlyDifference([
          { params: { seed: 69, lr: 0.1 } },
          { params: { seed: 42, lr: 0.1 } },
          { params: { seed: 69, lr: 0.2 } }
        ])
      ).toBeNull();
      expect(
        seedOnlyDifference([{ params: { seed: 1 } }, { params: { seed: 1 } }])
      ).toBeNull();
      expect(seedOnlyDifference([{ params: { seed: 1 } }])).toBeNull();
    });
  });

  describe('#changedSeeds()', () => {
    it('should say a changed seed once, not again for what it was passed to', () => {
      const derived = (value: number) => ({
        value,
        source: 'keyword',
        detail: null,
        exec: 1,
        time: 0,
        from: 'seed'
      });
      const withSeed = (seed: number) =>
        storedRun({
          params: {
            ...storedParams({ seed, 'model.n_estimators': 50 }),
            'train_test_split.random_state': derived(seed),
            'model.random_state': { ...derived(seed), source: 'estimator' }
          }
        });
      const verdict = reproductionVerdict(withSeed(69), withSeed(42));
      expect(
        verdict.params.find(p => p.name === 'model.random_state')?.from
      ).toBe('seed');
      expect(changedSeeds(verdict.params).map(p => p.name)).toEqual(['seed']);
      expect(verdict.params.filter(paramDiffers).map(p => p.name)).toEqual([
        'seed',
        'train_test_split.random_state',
        'model.random_state'
      ]);
    });

    it('should name every changed seed when nothing says where they came from', () => {
      const verdict = reproductionVerdict(
        run({ seed: 69, 'model.random_state': 69 }, []),
        run({ seed: 42, 'model.random_state': 42 }, [])
      );
      expect(changedSeeds(verdict.params).map(p => p.name)).toEqual([
        'seed',
        'model.random_state'
      ]);
    });
  });
});
