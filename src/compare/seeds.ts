import type { Runs } from '../tokens';

/**
 * Whether a parameter name reads like a random seed.
 */
export function isSeedLike(name: string): boolean {
  return SEED_NAME.test(name);
}

const SEED_NAME = /seed|random_state|manual_seed/i;

/**
 * The seed-like parameters two runs differ in, when those are all they
 * differ in; null when another parameter differs too, or none does. What
 * lets the views say "only the seed changed".
 */
export function onlySeedsDiffer(
  a: Readonly<Record<string, Runs.Scalar>>,
  b: Readonly<Record<string, Runs.Scalar>>
): string[] | null {
  const has = (params: Readonly<Record<string, Runs.Scalar>>, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name);
  const differing = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(
    name => has(a, name) !== has(b, name) || !Object.is(a[name], b[name])
  );
  return differing.length > 0 && differing.every(isSeedLike) ? differing : null;
}

/**
 * The seed-like parameters that tell runs apart when nothing else among
 * their parameters does (each compared with the first), with the values
 * each run has; null otherwise.
 */
export function seedOnlyDifference(
  runs: readonly { readonly params: Readonly<Record<string, Runs.Scalar>> }[]
): { name: string; values: (Runs.Scalar | undefined)[] }[] | null {
  if (runs.length < 2) {
    return null;
  }
  const names = new Set<string>();
  for (const run of runs.slice(1)) {
    const seeds = onlySeedsDiffer(runs[0].params, run.params);
    if (seeds === null && !sameParams(runs[0].params, run.params)) {
      return null;
    }
    seeds?.forEach(name => names.add(name));
  }
  if (names.size === 0) {
    return null;
  }
  return [...names].map(name => ({
    name,
    values: runs.map(run =>
      Object.prototype.hasOwnProperty.call(run.params, name)
        ? run.params[name]
        : undefined
    )
  }));
}

function sameParams(
  a: Readonly<Record<string, Runs.Scalar>>,
  b: Readonly<Record<string, Runs.Scalar>>
): boolean {
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every(
      key =>
        Object.prototype.hasOwnProperty.call(b, key) &&
        Object.is(a[key], b[key])
    )
  );
}
