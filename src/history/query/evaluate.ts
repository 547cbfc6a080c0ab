import type { Runs } from '../../tokens';
import type { Comparison, Field, QueryNode, Value } from './syntax';
import { numberOf } from './values';

/**
 * A run as queries read it: its summary, and what the sidebar knows beside.
 */
export type QueryableRun = Runs.RunSummary & {
  readonly tags?: Readonly<Record<string, Runs.Scalar>>;
  readonly pinned?: boolean;
  readonly archived?: boolean;
  readonly note?: string | null;
  /**
   * Seconds; when absent, the time from start to end, or to now while the
   * run is running.
   */
  readonly duration?: number | null;
};

/**
 * Whether a run matches a query.
 */
export type RunPredicate = (run: QueryableRun) => boolean;

/**
 * Turns a parsed query into a predicate, once for any number of runs: every
 * decision that does not depend on the run (which field, which comparison,
 * the value as a number or lowercase text, the instant of `7d`) is taken here.
 *
 * `now` (epoch milliseconds) resolves ages like `7d` and the duration of
 * running runs.
 */
export function compile(node: QueryNode | null, now: number): RunPredicate {
  if (!node) {
    return () => true;
  }
  switch (node.type) {
    case 'and': {
      const operands = node.operands.map(operand => compile(operand, now));
      return run => operands.every(operand => operand(run));
    }
    case 'or': {
      const operands = node.operands.map(operand => compile(operand, now));
      return run => operands.some(operand => operand(run));
    }
    case 'not': {
      const operand = compile(node.operand, now);
      return run => !operand(run);
    }
    case 'exists': {
      const read = reader(node.field, now);
      return run => read(run) !== undefined;
    }
    case 'in': {
      const read = reader(node.field, now);
      const tests = node.values.map(value => valueTest('=', value, now));
      return run => {
        const value = read(run);
        return tests.some(test => test(value));
      };
    }
    case 'compare': {
      const read = reader(node.field, now);
      const test = valueTest(node.op, node.value, now);
      return run => test(read(run));
    }
  }
}

/**
 * A field's value in a run: a scalar, `null` for a recorded null (or NaN,
 * which the store records as null too), `undefined` when missing.
 */
type Reader = (run: QueryableRun) => unknown;

/**
 * A test of a field's value.
 */
type Test = (value: unknown) => boolean;

const hasOwn = Object.prototype.hasOwnProperty;

function reader(field: Field, now: number): Reader {
  switch (field.kind) {
    case 'param':
      return namedReader(run => run.params, field.name);
    case 'metric':
      return namedReader(run => run.metrics, field.name);
    case 'tag':
      return namedReader(run => run.tags, field.name);
  }
  switch (field.name) {
    case 'status':
      return run => run.status;
    case 'name':
      return run => run.name;
    case 'id':
      return run => run.id;
    case 'notebook':
      return run => run.notebookPath;
    case 'started':
      return run => run.startedAt;
    case 'ended':
      return run => run.endedAt ?? undefined;
    case 'note':
      return run => run.note ?? undefined;
    case 'pinned':
      return run => run.pinned ?? false;
    case 'archived':
      return run => run.archived ?? false;
    case 'duration':
      return run => durationOf(run, now);
  }
}

/**
 * Reads one entry of a run's params, metrics or tags. Own entries only: a
 * param named `constructor` is not `Object.prototype.constructor`.
 */
function namedReader(
  recordOf: (
    run: QueryableRun
  ) => Readonly<Record<string, unknown>> | undefined,
  name: string
): Reader {
  return run => {
    const record = recordOf(run);
    if (!record || !hasOwn.call(record, name)) {
      return undefined;
    }
    const value = record[name];
    return typeof value === 'number' && value !== value ? null : value;
  };
}

function durationOf(run: QueryableRun, now: number): number | undefined {
  if (run.duration !== undefined) {
    return run.duration ?? undefined;
  }
  if (run.endedAt !== null) {
    return (run.endedAt - run.startedAt) / 1000;
  }
  return run.status === 'running' ? (now - run.startedAt) / 1000 : undefined;
}

/**
 * The test an operator and value make. `!=` and `!~` are the exact negations
 * of `=` and `~`, so they hold for a missing field.
 */
function valueTest(op: Comparison, value: Value, now: number): Test {
  switch (op) {
    case '=':
      return equalsTest(value, now);
    case '!=': {
      const equals = equalsTest(value, now);
      return field => !equals(field);
    }
    case '~':
      return containsTest(value);
    case '!~': {
      const contains = containsTest(value);
      return field => !contains(field);
    }
    default:
      return orderTest(op, value, now);
  }
}

function equalsTest(value: Value, now: number): Test {
  switch (value.type) {
    case 'null':
      return field => field === null || field === undefined;
    case 'boolean': {
      const expected = value.value;
      const text = String(expected);
      return field =>
        field === expected ||
        (typeof field === 'string' && field.toLowerCase() === text);
    }
    case 'number': {
      const expected = value.value;
      return field => numberOf(field) === expected;
    }
    case 'string': {
      const expected = value.value;
      const asNumber = numberOf(expected);
      const lower = expected.toLowerCase();
      return field => {
        switch (typeof field) {
          case 'string':
            return field === expected;
          case 'number':
            return field === asNumber;
          case 'boolean':
            return String(field) === lower;
          default:
            return false;
        }
      };
    }
    case 'date':
    case 'age': {
      const { start, end } = spanOf(value, now);
      return field =>
        typeof field === 'number' && start <= field && field < end;
    }
  }
}

/**
 * `<`, `<=`, `>`, `>=`: numbers (and text that reads as one) as numbers, a
 * date against its whole span, other text in code point order.
 */
function orderTest(op: Comparison, value: Value, now: number): Test {
  const below = op === '<' || op === '<=';
  const inclusive = op === '<=' || op === '>=';
  if (value.type === 'date' || value.type === 'age') {
    return spanOrderTest(op, spanOf(value, now));
  }
  if (value.type === 'number') {
    const limit = value.value;
    return field => {
      const number = numberOf(field);
      return number !== undefined && compare(number, limit, below, inclusive);
    };
  }
  if (value.type === 'string') {
    const text = value.value;
    const limit = numberOf(text);
    return field => {
      const number = limit === undefined ? undefined : numberOf(field);
      if (limit !== undefined && number !== undefined) {
        return compare(number, limit, below, inclusive);
      }
      return (
        typeof field === 'string' && compare(field, text, below, inclusive)
      );
    };
  }
  // The parser refuses ordering null and booleans; nothing is below them.
  return () => false;
}

/**
 * Orders a time against a span: `< "2024-05-01"` is before that day,
 * `<= "2024-05-01"` up to its end, `> "2024-05-01"` after it, and
 * `>= "2024-05-01"` from its start.
 */
function spanOrderTest(
  op: Comparison,
  span: { start: number; end: number }
): Test {
  const { start, end } = span;
  switch (op) {
    case '<':
      return field => typeof field === 'number' && field < start;
    case '<=':
      return field => typeof field === 'number' && field < end;
    case '>':
      return field => typeof field === 'number' && field >= end;
    default:
      return field => typeof field === 'number' && field >= start;
  }
}

function compare<T extends number | string>(
  field: T,
  limit: T,
  below: boolean,
  inclusive: boolean
): boolean {
  if (below) {
    return inclusive ? field <= limit : field < limit;
  }
  return inclusive ? field >= limit : field > limit;
}

/**
 * `~`: the field's text contains the value's text as written, ignoring case.
 */
function containsTest(value: Value): Test {
  const needle = (
    value.type === 'string' ? value.value : value.text
  ).toLowerCase();
  return field => {
    const type = typeof field;
    if (type !== 'string' && type !== 'number' && type !== 'boolean') {
      return false;
    }
    return String(field).toLowerCase().includes(needle);
  };
}

/**
 * The span of time a date value covers; an age like `7d` is the instant that
 * long before `now`.
 */
function spanOf(
  value: Extract<Value, { type: 'date' | 'age' }>,
  now: number
): { start: number; end: number } {
  if (value.type === 'date') {
    return value;
  }
  const instant = now - value.seconds * 1000;
  return { start: instant, end: instant + 1 };
}
