import type { StoredRun } from '../store/reader';

/**
 * The source the kernel helper gives an estimator's hyperparameter the code
 * did not set: the class's default.
 */
export const DEFAULT_SOURCE = 'estimator-default';

/**
 * A parameter with its name.
 */
export type NamedParam = {
  readonly name: string;
  readonly param: StoredRun.Param;
};

/**
 * One of the user's own parameters, with those that got their value from it
 * (`seed`, then `train_test_split.random_state` and `model.random_state`).
 */
export type OwnParam = NamedParam & {
  readonly derived: readonly NamedParam[];
};

/**
 * A run's parameters as a user reads them: their own first, each with the
 * ones derived from it, then the estimators' defaults apart.
 */
export type ParamGroups = {
  readonly own: readonly OwnParam[];
  readonly defaults: readonly NamedParam[];
};

/**
 * Group a run's parameters. Own parameters come in the order the notebook
 * set them (by execution, then as recorded), derived ones under the parameter
 * they came from when the run recorded it (else they count as own), and
 * defaults by name. A store written before the kernel said where a value came
 * from has neither: every parameter is then the user's own.
 */
export function groupParams(
  params: Readonly<Record<string, StoredRun.Param>>
): ParamGroups {
  const has = (name: string) =>
    Object.prototype.hasOwnProperty.call(params, name);
  const entries = Object.entries(params).map(([name, param], index) => ({
    name,
    param,
    index
  }));
  const parentOf = (entry: NamedParam): string | null => {
    const from = entry.param.from;
    if (from === undefined || from === entry.name || !has(from)) {
      return null;
    }
    // One level: a parent that is itself derived would hide a change twice.
    const parent = params[from];
    return parent.from !== undefined && has(parent.from) ? null : from;
  };
  const derived = new Map<string, NamedParam[]>();
  const own: typeof entries = [];
  const defaults: NamedParam[] = [];
  for (const entry of entries) {
    const parent = parentOf(entry);
    if (parent !== null) {
      const list = derived.get(parent) ?? [];
      list.push({ name: entry.name, param: entry.param });
      derived.set(parent, list);
    } else if (entry.param.source === DEFAULT_SOURCE) {
      defaults.push({ name: entry.name, param: entry.param });
    } else {
      own.push(entry);
    }
  }
  const order = (exec: number | null) => exec ?? Number.POSITIVE_INFINITY;
  own.sort(
    (a, b) => order(a.param.exec) - order(b.param.exec) || a.index - b.index
  );
  defaults.sort((a, b) => a.name.localeCompare(b.name));
  return {
    own: own.map(({ name, param }) => ({
      name,
      param,
      derived: (derived.get(name) ?? []).sort((a, b) =>
        a.name.localeCompare(b.name)
      )
    })),
    defaults
  };
}
