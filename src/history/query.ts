/**
 * The filter language of the Runs sidebar: `params.seed = 69 and
 * metrics.rmse < 6.6`. Pure functions, no DOM; see docs/QUERY.md.
 *
 * Parse the text once when it changes, compile the query once per filtering
 * pass, then call the predicate for each run.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { nullTranslator } from '@jupyterlab/translation';

import type { QueryError } from './query/errors';
import type { KnownFields } from './query/known';
import { QuerySyntaxError } from './query/errors';
import type { QueryableRun, RunPredicate } from './query/evaluate';
import { compile } from './query/evaluate';
import { parse } from './query/parser';
import type { QueryNode } from './query/syntax';

export type { QueryError } from './query/errors';
export type { KnownFields } from './query/known';
export { knownFields } from './query/known';
export type { QueryableRun, RunPredicate } from './query/evaluate';
export type {
  Attribute,
  Comparison,
  Field,
  QueryNode,
  Value
} from './query/syntax';
export { ATTRIBUTES, STATUSES } from './query/syntax';

/**
 * A parsed query.
 */
export type Query = {
  /**
   * The text it was read from.
   */
  readonly text: string;

  /**
   * Its syntax tree; `null` for an empty query, which matches every run.
   */
  readonly root: QueryNode | null;
};

/**
 * The outcome of reading a query.
 */
export type ParseResult =
  | { readonly ok: true; readonly query: Query }
  | { readonly ok: false; readonly error: QueryError };

/**
 * Options of `compileQuery` and `matches`.
 */
export type CompileOptions = {
  /**
   * The present, in epoch milliseconds, that ages like `started > 7d` and the
   * duration of running runs are measured from; by default the time of the
   * call.
   */
  now?: number;
};

/**
 * Reads a query. Never throws: a mistake comes back as a translated message
 * and the offsets of the text at fault.
 *
 * With `known`, the names the runs at hand record, a parameter, metric or
 * tag none of them has is a mistake (naming the closest one), and a bare
 * name only one kind of field has is read as that field: `seed = 69`.
 */
export function parseQuery(
  text: string,
  trans: TranslationBundle = nullTranslator.load('jupyterlab_runs'),
  known?: KnownFields
): ParseResult {
  try {
    return { ok: true, query: { text, root: parse(text, trans, known) } };
  } catch (reason) {
    if (reason instanceof QuerySyntaxError) {
      return { ok: false, error: reason.error };
    }
    throw reason;
  }
}

/**
 * A predicate telling whether a run matches the query. Compile once per
 * filtering pass: the predicate does no parsing and no regular expressions.
 */
export function compileQuery(
  query: Query,
  options: CompileOptions = {}
): RunPredicate {
  return compile(query.root, options.now ?? Date.now());
}

/**
 * Whether one run matches a query. For a list of runs, compile the query
 * once with `compileQuery` instead.
 */
export function matches(
  query: Query,
  run: QueryableRun,
  options: CompileOptions = {}
): boolean {
  return compileQuery(query, options)(run);
}

/**
 * The runs matching a query, in their order.
 */
export function filterRuns<T extends QueryableRun>(
  query: Query,
  runs: readonly T[],
  options: CompileOptions = {}
): T[] {
  const predicate = compileQuery(query, options);
  return runs.filter(predicate);
}
