import { isSeedLike } from '../compare/seeds';
import type { StoreFormat } from '../store/format';
import { metricNumber } from '../store/overview';
import type { StoredRun } from '../store/reader';
import type { Runs } from '../tokens';
import { DEFAULT_TOLERANCE } from './tolerance';

/**
 * Whether a re-run reproduced its original: per metric (its last value),
 * per parameter, and as a whole.
 */
export namespace Reproduction {
  /**
   * How close two metric values must be to count as the same, as Python's
   * `math.isclose`: within `relative` of the larger magnitude, or within
   * `absolute`.
   */
  export type Tolerance = {
    readonly relative: number;
    readonly absolute: number;
  };

  /**
   * `reproduced`: the same (metrics: within the tolerance); `differs`: both
   * have it, not the same; `missing`: the re-run lacks it; `extra`: only
   * the re-run has it.
   */
  export type Outcome = 'reproduced' | 'differs' | 'missing' | 'extra';

  export type MetricVerdict = {
    readonly name: string;
    readonly source: string;
    readonly original: StoreFormat.MetricValue | null;
    readonly rerun: StoreFormat.MetricValue | null;
    readonly outcome: Outcome;
    /** Re-run minus original, when both are finite numbers. */
    readonly difference: number | null;
    /** The difference relative to the original's magnitude, when defined. */
    readonly relative: number | null;
  };

  export type ParamVerdict = {
    readonly name: string;
    readonly original: Runs.Scalar | undefined;
    readonly rerun: Runs.Scalar | undefined;
    readonly outcome: Outcome;
    readonly seedLike: boolean;
    /**
     * The parameter it got its value from (`random_state=seed`: `seed`),
     * when the original, or else the re-run, says so.
     */
    readonly from?: string;
  };

  /**
   * `reproduced`: every metric and parameter of the original is there and
   * the same; `differs`: a metric or parameter differs; `incomplete`:
   * nothing differs but something is missing.
   */
  export type Overall = 'reproduced' | 'differs' | 'incomplete';

  export type Verdict = {
    readonly overall: Overall;
    readonly metrics: readonly MetricVerdict[];
    readonly params: readonly ParamVerdict[];
  };
}

/**
 * Whether two metric values are the same within `tolerance`. NaN matches
 * NaN and an infinity matches the same infinity: a run that diverged the
 * same way reproduced.
 */
export function isClose(
  a: StoreFormat.MetricValue,
  b: StoreFormat.MetricValue,
  tolerance: Reproduction.Tolerance
): boolean {
  const x = metricNumber(a);
  const y = metricNumber(b);
  if (Number.isNaN(x) || Number.isNaN(y)) {
    return Number.isNaN(x) && Number.isNaN(y);
  }
  if (!Number.isFinite(x) || !Number.isFinite(y)) {
    return x === y;
  }
  const bound = Math.max(
    tolerance.relative * Math.max(Math.abs(x), Math.abs(y)),
    tolerance.absolute
  );
  return Math.abs(x - y) <= bound;
}

/**
 * The verdict on one metric: its last value in each run.
 */
export function metricVerdict(
  original: StoredRun.Metric | undefined,
  rerun: StoredRun.Metric | undefined,
  tolerance: Reproduction.Tolerance
): Reproduction.MetricVerdict {
  const known = (original ?? rerun) as StoredRun.Metric;
  const before = original?.last ?? null;
  const after = rerun?.last ?? null;
  const outcome: Reproduction.Outcome = !original
    ? 'extra'
    : !rerun || after === null
      ? 'missing'
      : before !== null && isClose(before, after, tolerance)
        ? 'reproduced'
        : 'differs';
  // Stored numbers are finite: the non-finite values are strings.
  const difference =
    typeof before === 'number' && typeof after === 'number'
      ? after - before
      : null;
  return {
    name: known.name,
    source: known.source,
    original: before,
    rerun: after,
    outcome,
    difference,
    relative:
      difference !== null && before !== 0
        ? difference / Math.abs(before as number)
        : null
  };
}

/**
 * The verdict on one parameter: the same value, exactly.
 */
export function paramVerdict(
  name: string,
  original: Runs.Scalar | undefined,
  rerun: Runs.Scalar | undefined
): Reproduction.ParamVerdict {
  const outcome: Reproduction.Outcome =
    original === undefined
      ? 'extra'
      : rerun === undefined
        ? 'missing'
        : Object.is(original, rerun)
          ? 'reproduced'
          : 'differs';
  return { name, original, rerun, outcome, seedLike: isSeedLike(name) };
}

/**
 * Whether a parameter's verdict is worth a row when only differences are
 * shown: anything but the same value in both runs.
 */
export function paramDiffers(verdict: Reproduction.ParamVerdict): boolean {
  return verdict.outcome !== 'reproduced';
}

/**
 * The seed-like parameters that did not reproduce, each change said once:
 * those that got their value from another of them are left out.
 */
export function changedSeeds(
  params: readonly Reproduction.ParamVerdict[]
): Reproduction.ParamVerdict[] {
  const seeds = params.filter(param => param.seedLike && paramDiffers(param));
  const names = new Set(seeds.map(seed => seed.name));
  return seeds.filter(seed => seed.from === undefined || !names.has(seed.from));
}

/**
 * Whether `rerun` reproduced `original`: each metric by its last value
 * (matched by name and source), each parameter by its value. Metrics and
 * parameters are listed as the original has them, then those only the
 * re-run has.
 */
export function reproductionVerdict(
  original: StoredRun.Run,
  rerun: StoredRun.Run,
  tolerance: Reproduction.Tolerance = DEFAULT_TOLERANCE
): Reproduction.Verdict {
  const key = (metric: StoredRun.Metric) => `${metric.source}\n${metric.name}`;
  const before = new Map(original.metrics.map(m => [key(m), m]));
  const after = new Map(rerun.metrics.map(m => [key(m), m]));
  const metrics = [...new Set([...before.keys(), ...after.keys()])].map(k =>
    metricVerdict(before.get(k), after.get(k), tolerance)
  );
  const names = [
    ...new Set([...Object.keys(original.params), ...Object.keys(rerun.params)])
  ];
  const value = (run: StoredRun.Run, name: string) =>
    Object.prototype.hasOwnProperty.call(run.params, name)
      ? run.params[name].value
      : undefined;
  const from = (name: string) =>
    (original.params[name] ?? rerun.params[name])?.from;
  const params = names.map(name => {
    const verdict = paramVerdict(
      name,
      value(original, name),
      value(rerun, name)
    );
    const parent = from(name);
    return parent === undefined ? verdict : { ...verdict, from: parent };
  });
  const outcomes = [...metrics, ...params].map(verdict => verdict.outcome);
  return {
    overall: outcomes.includes('differs')
      ? 'differs'
      : outcomes.includes('missing')
        ? 'incomplete'
        : 'reproduced',
    metrics,
    params
  };
}
