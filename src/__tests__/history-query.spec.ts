import type { QueryableRun, QueryNode } from '../history/query';
import {
  compileQuery,
  filterRuns,
  matches,
  parseQuery
} from '../history/query';

const NOW = new Date(2024, 4, 10, 12, 0, 0).getTime();
const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

/**
 * A run with sensible defaults, for the fields a test cares about.
 */
function run(fields: Partial<QueryableRun> = {}): QueryableRun {
  return {
    id: 'r1',
    name: 'swift-otter-1',
    notebookPath: 'analysis/train.ipynb',
    status: 'finished',
    startedAt: NOW - 2 * DAY,
    endedAt: NOW - 2 * DAY + 90 * 1000,
    params: { seed: 69, lr: 0.001, optimizer: 'adam', depth: '12' },
    metrics: { rmse: 6.5, 'validation-rmse': 7.25, 'val/loss': 0.3 },
    tags: { model: 'xgboost' },
    note: null,
    pinned: false,
    archived: false,
    ...fields
  };
}

/**
 * Parses a query the test expects to be valid.
 */
function parsed(text: string) {
  const result = parseQuery(text);
  if (!result.ok) {
    throw new Error(`"${text}" did not parse: ${result.error.message}`);
  }
  return result.query;
}

/**
 * Whether a query matches a run, at the fixed `NOW`.
 */
function test(text: string, target: QueryableRun = run()): boolean {
  return matches(parsed(text), target, { now: NOW });
}

/**
 * The error a query the test expects to be invalid gives.
 */
function errorOf(text: string) {
  const result = parseQuery(text);
  if (result.ok) {
    throw new Error(`"${text}" parsed`);
  }
  return result.error;
}

describe('history/query', () => {
  describe('#parseQuery()', () => {
    it.each(['', '   ', '\n\t'])('should read %j as the empty query', text => {
      expect(parsed(text).root).toBeNull();
    });

    it('should keep the text it read', () => {
      expect(parsed('status = failed').text).toBe('status = failed');
    });

    it('should read a comparison of a param', () => {
      expect(parsed('params.seed = 69').root).toEqual({
        type: 'compare',
        field: { kind: 'param', name: 'seed' },
        op: '=',
        value: { type: 'number', value: 69, text: '69' }
      });
    });

    it('should read the examples of the issue', () => {
      expect(
        parsed('params.seed = 69 and metrics.rmse < 6.6').root
      ).toMatchObject({
        type: 'and',
        operands: [
          { field: { kind: 'param', name: 'seed' }, op: '=' },
          { field: { kind: 'metric', name: 'rmse' }, op: '<' }
        ]
      });
      expect(parsed('tags.model = "xgboost"').root).toMatchObject({
        field: { kind: 'tag', name: 'model' },
        value: { type: 'string', value: 'xgboost' }
      });
      expect(parsed('status = failed').root).toMatchObject({
        field: { kind: 'attribute', name: 'status' },
        value: { type: 'string', value: 'failed' }
      });
    });

    it('should bind "and" tighter than "or"', () => {
      const root = parsed('status = failed or status = crashed and pinned')
        .root as QueryNode;
      expect(root).toMatchObject({
        type: 'or',
        operands: [{ type: 'compare' }, { type: 'and' }]
      });
    });

    it('should bind "not" tighter than "and"', () => {
      expect(parsed('not pinned and archived').root).toMatchObject({
        type: 'and',
        operands: [{ type: 'not' }, { type: 'compare' }]
      });
    });

    it('should let parentheses group', () => {
      expect(
        parsed('(status = failed or status = crashed) and pinned').root
      ).toMatchObject({
        type: 'and',
        operands: [{ type: 'or' }, { type: 'compare' }]
      });
    });

    it('should flatten chains of one keyword', () => {
      expect(parsed('pinned or archived or pinned').root).toMatchObject({
        type: 'or',
        operands: [{}, {}, {}]
      });
    });

    it('should read keywords, attributes and field prefixes in any case', () => {
      expect(
        parsed('NOT Status = failed AND Params.seed IN (1) Or PINNED').root
      ).toMatchObject({ type: 'or' });
      expect(parsed('STATUS = FAILED').root).toMatchObject({
        value: { value: 'failed' }
      });
    });

    it('should keep the case of param, metric and tag names', () => {
      expect(parsed('params.LR > 0').root).toMatchObject({
        field: { kind: 'param', name: 'LR' }
      });
    });

    it.each([
      ['param.seed = 1', { kind: 'param', name: 'seed' }],
      ['metric.rmse = 1', { kind: 'metric', name: 'rmse' }],
      ['tag.model = x', { kind: 'tag', name: 'model' }]
    ])('should accept the singular prefix in %j', (text, field) => {
      expect(parsed(text).root).toMatchObject({ field });
    });

    it.each([
      ['metrics.validation-rmse < 8', 'validation-rmse'],
      ['metrics.`validation-rmse` < 8', 'validation-rmse'],
      ['metrics.`val/loss` < 1', 'val/loss'],
      ['metrics["val/loss"] < 1', 'val/loss'],
      ["metrics['val loss'] < 1", 'val loss'],
      ['params.optimizer.lr = 1', 'optimizer.lr'],
      ['metrics.top1 > 0', 'top1'],
      ['metrics.précision > 0', 'précision'],
      ['metrics.`a"b` > 0', 'a"b']
    ])('should read the name in %j', (text, name) => {
      expect(parsed(text).root).toMatchObject({ field: { name } });
    });

    it.each([
      ['params.x = 42', { type: 'number', value: 42 }],
      ['params.x = -3', { type: 'number', value: -3 }],
      ['params.x = 0.5', { type: 'number', value: 0.5 }],
      ['params.x = .5', { type: 'number', value: 0.5 }],
      ['params.x = 1e-3', { type: 'number', value: 0.001 }],
      ['params.x = -2.5E+2', { type: 'number', value: -250 }],
      ['params.x = 5m', { type: 'number', value: 300 }],
      ['params.x = "a b"', { type: 'string', value: 'a b' }],
      ["params.x = 'a b'", { type: 'string', value: 'a b' }],
      ['params.x = xgboost-v2', { type: 'string', value: 'xgboost-v2' }],
      ['params.x = train.ipynb', { type: 'string', value: 'train.ipynb' }],
      ['params.x = 2024-05-01', { type: 'string', value: '2024-05-01' }],
      ['params.x = TRUE', { type: 'boolean', value: true }],
      ['params.x = false', { type: 'boolean', value: false }],
      ['params.x = Null', { type: 'null' }]
    ])('should read the value in %j', (text, value) => {
      expect(parsed(text).root).toMatchObject({ value });
    });

    it.each([
      ['"a\\"b"', 'a"b'],
      ["'it\\'s'", "it's"],
      ['"back\\\\slash"', 'back\\slash'],
      ['"tab\\there"', 'tab\there'],
      ['"line\\nbreak"', 'line\nbreak'],
      ['"\\u00e9t\\u00E9"', 'été'],
      ['"it\'s"', "it's"],
      ['\'say "hi"\'', 'say "hi"']
    ])('should decode the escapes of %s', (literal, value) => {
      expect(parsed(`tags.x = ${literal}`).root).toMatchObject({
        value: { type: 'string', value }
      });
    });

    it('should read "==" as "="', () => {
      expect(parsed('params.seed == 69').root).toMatchObject({ op: '=' });
    });

    it.each(['=', '!=', '<', '<=', '>', '>=', '~', '!~'])(
      'should read the operator %s with or without spaces',
      op => {
        expect(parsed(`params.x ${op} 1`).root).toMatchObject({ op });
        expect(parsed(`params.x${op}1`).root).toMatchObject({ op });
      }
    );

    it('should read "in" and "not in" lists', () => {
      expect(parsed('status in (failed, crashed)').root).toMatchObject({
        type: 'in',
        values: [{ value: 'failed' }, { value: 'crashed' }]
      });
      expect(parsed('params.seed not in (1,2)').root).toMatchObject({
        type: 'not',
        operand: { type: 'in', values: [{ value: 1 }, { value: 2 }] }
      });
    });

    it('should read "exists" and "not exists"', () => {
      expect(parsed('metrics.auc exists').root).toEqual({
        type: 'exists',
        field: { kind: 'metric', name: 'auc' }
      });
      expect(parsed('metrics.auc not exists').root).toMatchObject({
        type: 'not',
        operand: { type: 'exists' }
      });
    });

    it('should read a boolean attribute alone as "= true"', () => {
      expect(parsed('pinned').root).toMatchObject({
        field: { name: 'pinned' },
        op: '=',
        value: { type: 'boolean', value: true }
      });
    });

    it('should read a date as the span it names', () => {
      const day = new Date(2024, 4, 1).getTime();
      expect(parsed('started = "2024-05-01"').root).toMatchObject({
        value: { type: 'date', start: day, end: day + DAY }
      });
      expect(parsed('started > 2024-05-01T14:30').root).toMatchObject({
        value: {
          type: 'date',
          start: day + 14.5 * HOUR,
          end: day + 14.5 * HOUR + 60000
        }
      });
      expect(parsed("ended < '2024-05-01 14:30:15'").root).toMatchObject({
        value: { end: day + 14.5 * HOUR + 16000 }
      });
    });

    it('should read an age for a date, and seconds for a duration', () => {
      expect(parsed('started > 7d').root).toMatchObject({
        value: { type: 'age', seconds: 7 * 86400 }
      });
      expect(parsed('duration > 1.5h').root).toMatchObject({
        value: { type: 'number', value: 5400 }
      });
    });
  });

  describe('#parseQuery() errors', () => {
    it.each([
      [
        'params.seed = 69 and metrics.rmse <',
        'Expected a value after "<" at column 36',
        35,
        35
      ],
      [
        'params.seed =  and x',
        'Expected a value after "=" at column 16',
        15,
        18
      ],
      [
        'status = failed and',
        'Expected a field at column 20, like params.seed, metrics.rmse, tags.model or status',
        19,
        19
      ],
      [
        '= 3',
        'Expected a field at column 1, like params.seed, metrics.rmse, tags.model or status',
        0,
        1
      ],
      [
        '()',
        'Expected a field at column 2, like params.seed, metrics.rmse, tags.model or status',
        1,
        2
      ],
      [
        'params.seed 69',
        'Expected an operator after "params.seed" at column 13: =, !=, <, <=, >, >=, ~, !~, in or exists',
        12,
        14
      ],
      [
        'params.seed',
        'Expected an operator after "params.seed" at column 12: =, !=, <, <=, >, >=, ~, !~, in or exists',
        11,
        11
      ],
      [
        'tags.model = "xgboost',
        'The string starting at column 14 is not closed: add a closing "',
        13,
        21
      ],
      [
        "tags.model = 'xgb",
        "The string starting at column 14 is not closed: add a closing '",
        13,
        17
      ],
      [
        'metrics.`val/loss < 1',
        'The name starting at column 9 is not closed: add a closing `',
        8,
        21
      ],
      [
        'tags.x = "a\\qb"',
        'Unknown escape "\\q" at column 12: write \\\\ for a backslash, \\" or \\\' for a quote, \\n, \\t or \\uXXXX',
        11,
        13
      ],
      [
        '(status = failed or pinned',
        'Missing ")" to close the "(" at column 1',
        0,
        1
      ],
      [
        'status in (failed, crashed',
        'Missing ")" to close the "(" at column 11',
        10,
        11
      ],
      [
        'status = failed)',
        'Unexpected ")" at column 16: no "(" is open',
        15,
        16
      ],
      [
        '(pinned archived)',
        'Unexpected "archived" at column 9: expected "and", "or" or ")"',
        8,
        16
      ],
      [
        'status = failed garbage',
        'Unexpected "garbage" at column 17: expected "and", "or" or the end of the query',
        16,
        23
      ],
      [
        'params.seed = 69 metrics.rmse < 3',
        'Unexpected "metrics.rmse" at column 18: expected "and", "or" or the end of the query',
        17,
        29
      ],
      [
        'params.seed <> 69',
        'Unknown operator "<>" at column 13: use "!=" instead',
        12,
        14
      ],
      [
        'status = failed && pinned',
        'Unknown operator "&&" at column 17: use "and" instead',
        16,
        18
      ],
      [
        'pinned || archived',
        'Unknown operator "||" at column 8: use "or" instead',
        7,
        9
      ],
      ['!pinned', 'Unknown operator "!" at column 1: use "not" instead', 0, 1],
      [
        'params.seed => 3',
        'Unknown operator "=>" at column 13: use ">=" instead',
        12,
        14
      ],
      [
        'metrics.auc is null',
        'Unknown operator "is" at column 13: use "= null" or "not exists" instead',
        12,
        14
      ],
      [
        'name like "otter"',
        'Unknown operator "like" at column 6: use "~" instead',
        5,
        9
      ],
      [
        'params.seed <<= 3',
        'Unknown operator "<<=" at column 13: the operators are =, !=, <, <=, >, >=, ~, !~, in and exists',
        12,
        15
      ],
      ['params.seed = 3 ^ 4', 'Unexpected character "^" at column 17', 16, 17],
      [
        'stauts = failed',
        'Unknown field "stauts" at column 1: did you mean "status"?',
        0,
        6
      ],
      [
        'parms.seed = 1',
        'Unknown field "parms.seed" at column 1: did you mean "params.seed"?',
        0,
        10
      ],
      [
        'seed = 69',
        'Unknown field "seed" at column 1: write params.seed, metrics.seed or tags.seed, or use one of status, name, id, notebook, started, ended, duration, note, pinned, archived',
        0,
        4
      ],
      [
        'params = 1',
        'Expected a name after "params" at column 7, as in: params.seed, params.`val/loss` or params["val/loss"]',
        6,
        8
      ],
      [
        'metrics. rmse < 1',
        'Expected a name after "metrics" at column 8, as in: metrics.seed, metrics.`val/loss` or metrics["val/loss"]',
        7,
        8
      ],
      [
        'metrics.`` < 1',
        'Expected a name after "metrics" at column 8, as in: metrics.seed, metrics.`val/loss` or metrics["val/loss"]',
        7,
        8
      ],
      [
        'metrics.val/loss < 1',
        'Unexpected "/" at column 12: quote it, as in metrics.`val/loss`',
        11,
        12
      ],
      [
        'notebook = runs/train.ipynb',
        'Unexpected "/" at column 16: quote it, as in "runs/train.ipynb"',
        15,
        16
      ],
      [
        'params.x = 12abc',
        '"12abc" at column 12 is not a number: write durations like 30s, 5m, 2h, 7d or 2w, and text in quotes',
        11,
        16
      ],
      [
        'duration > 5min',
        '"5min" at column 12 is not a number: write durations like 30s, 5m, 2h, 7d or 2w, and text in quotes',
        11,
        15
      ],
      [
        'params.x = 1.2.3',
        '"1.2.3" at column 12 is not a number: write durations like 30s, 5m, 2h, 7d or 2w, and text in quotes',
        11,
        16
      ],
      [
        'status = faild',
        'Unknown status "faild" at column 10: the statuses are running, finished, failed, interrupted, crashed',
        9,
        14
      ],
      [
        'status in (failed, 3)',
        'Unknown status "3" at column 20: the statuses are running, finished, failed, interrupted, crashed',
        19,
        20
      ],
      [
        'status in failed',
        'Expected "(" after "in" at column 11, as in: status in (failed, crashed)',
        10,
        16
      ],
      [
        'status in (failed crashed)',
        'Unexpected "crashed" at column 19: expected "," or ")" in the list',
        18,
        25
      ],
      [
        'status in (failed,)',
        'Expected a value after "," at column 19',
        18,
        19
      ],
      [
        'params.seed not 3',
        'Expected "in" or "exists" after "params.seed not" at column 17',
        16,
        17
      ],
      [
        'started > yesterday',
        'Expected a date like "2024-05-01" or an age like 7d after "started" at column 11',
        10,
        19
      ],
      [
        'started ~ "2024"',
        'Dates cannot be searched with "~" at column 9: compare them, as in started >= 2024-05-01',
        8,
        9
      ],
      [
        'pinned != 3',
        'Expected true or false after "pinned" at column 11',
        10,
        11
      ],
      ['params.x = = 3', 'Expected a value after "=" at column 12', 11, 12],
      [
        'ended > "2024-02-30"',
        '"2024-02-30" at column 9 is not a date: write dates like "2024-05-01" or "2024-05-01 14:30"',
        8,
        20
      ],
      [
        'duration > "long"',
        'Expected a number of seconds or a duration like 5m, 2h after "duration" at column 12',
        11,
        17
      ],
      [
        'pinned = yes',
        'Expected true or false after "pinned" at column 10',
        9,
        12
      ],
      [
        'params.x < null',
        'null cannot be compared with "<" at column 12: use = or !=',
        11,
        15
      ],
      [
        'params.x >= true',
        'true cannot be compared with ">=" at column 13: use = or !=',
        12,
        16
      ],
      [
        'name ~ null',
        'Expected text to search for after "~" at column 8',
        7,
        11
      ],
      ['params.x = and', 'Expected a value after "=" at column 12', 11, 14]
    ])('should explain %j', (text, message, start, end) => {
      expect(errorOf(text)).toEqual({ message, start, end });
    });

    it('should refuse nesting deeper than a person writes', () => {
      const deep = '('.repeat(5000) + 'pinned' + ')'.repeat(5000);
      expect(errorOf(deep)).toEqual({
        message: 'The query nests parentheses or "not" too deep at column 101',
        start: 100,
        end: 101
      });
      expect(errorOf('not '.repeat(5000) + 'pinned').start).toBe(400);
      const nested = '('.repeat(50) + 'pinned' + ')'.repeat(50);
      expect(test(`not ${nested}`, run({ pinned: true }))).toBe(false);
    });

    it('should give the line as well when the query has several', () => {
      expect(errorOf('status = failed\nand params.seed =').message).toBe(
        'Expected a value after "=" at line 2, column 18'
      );
    });

    it('should translate messages through the bundle it is given', () => {
      const trans = {
        __: (message: string, ...args: unknown[]) =>
          `[${message}]` + args.join('|')
      };
      const result = parseQuery(
        'status =',
        trans as unknown as Parameters<typeof parseQuery>[1]
      );
      expect(result).toMatchObject({
        ok: false,
        error: {
          message: '[Expected a value after "%1" %2]=|[at column %1]9'
        }
      });
    });
  });

  describe('#matches()', () => {
    it('should match the examples of the issue', () => {
      expect(test('params.seed = 69 and metrics.rmse < 6.6')).toBe(true);
      expect(test('params.seed = 69 and metrics.rmse < 6.4')).toBe(false);
      expect(test('tags.model = "xgboost"')).toBe(true);
      expect(test('status = failed')).toBe(false);
      expect(test('status = failed', run({ status: 'failed' }))).toBe(true);
    });

    it('should match every run with the empty query', () => {
      expect(test('')).toBe(true);
    });

    it.each([
      ['pinned or archived and status = failed', false],
      ['(pinned or status = finished) and not archived', true],
      ['status = failed or status = finished and params.seed = 69', true],
      ['status = failed or status = finished and params.seed = 70', false],
      ['(status = failed or status = finished) and params.seed = 70', false],
      ['not not pinned', false],
      ['not (params.seed = 1 or params.seed = 2)', true]
    ])('should evaluate %j by precedence', (text, expected) => {
      expect(test(text)).toBe(expected);
    });

    it.each([
      ['params.seed = 69', true],
      ['params.seed = 69.0', true],
      ['params.seed = "69"', true],
      ['params.seed != 69', false],
      ['params.seed > 68.5', true],
      ['params.seed >= 69', true],
      ['params.seed <= 69', true],
      ['params.seed < 69', false],
      ['params.lr = 1e-3', true],
      ['params.lr < 0.01', true],
      ['params.depth = 12', true],
      ['params.depth > 9', true],
      ['params.depth > "9"', true],
      ['params.optimizer = adam', true],
      ['params.optimizer = "Adam"', false],
      ['params.optimizer ~ ADA', true],
      ['params.optimizer !~ sgd', true],
      ['params.optimizer > 3', false],
      ['params.optimizer = 3', false],
      ['params.optimizer > "a"', true],
      ['params.optimizer < "b"', true],
      ['params.seed ~ 6', true],
      ['params.lr ~ "0.00"', true],
      ['params.lr ~ 0.00', true],
      ['params.lr ~ 1e-3', false],
      ['params.seed in (1, 69, "x")', true],
      ['params.seed not in (1, 2)', true],
      ['params.optimizer in (sgd, adam)', true],
      ['metrics.validation-rmse > 7', true],
      ['metrics.`validation-rmse` = 7.25', true],
      ['metrics["val/loss"] < 0.5', true],
      ['tags.model ~ "XGB"', true],
      ['tags.model != lightgbm', true]
    ])('should evaluate %j', (text, expected) => {
      expect(test(text)).toBe(expected);
    });

    it.each([
      ['params.flag = true', { flag: true }, true],
      ['params.flag = false', { flag: true }, false],
      ['params.flag = true', { flag: 'True' }, true],
      ['params.flag = "true"', { flag: true }, true],
      ['params.flag = 1', { flag: true }, false],
      ['params.flag ~ tru', { flag: true }, true],
      ['params.x = null', { x: null }, true],
      ['params.x != null', { x: null }, false],
      ['params.x = 0', { x: null }, false],
      ['params.x < 1', { x: null }, false],
      ['params.x exists', { x: null }, true],
      ['params.x = ""', { x: '' }, true],
      ['params.x = 0', { x: '' }, false],
      ['params.x < 1', { x: ' ' }, false],
      ['params.x > 1', { x: '1e3' }, true],
      ['params.constructor exists', {}, false],
      ['params.toString = 1', {}, false]
    ])('should compare %j with %j across types', (text, params, expected) => {
      expect(test(text, run({ params }))).toBe(expected);
    });

    describe('a missing field', () => {
      it.each([
        ['params.nope = 1', false],
        ['params.nope < 1', false],
        ['params.nope > 1', false],
        ['params.nope ~ a', false],
        ['params.nope in (1, 2)', false],
        ['params.nope exists', false],
        ['params.nope != 1', true],
        ['params.nope !~ a', true],
        ['params.nope not in (1, 2)', true],
        ['params.nope not exists', true],
        ['params.nope = null', true],
        ['params.nope != null', false],
        ['tags.model = xgboost', false],
        ['note ~ "baseline"', false],
        ['note = null', true]
      ])('should make %j %s', (text, expected) => {
        expect(test(text, run({ params: {}, tags: undefined }))).toBe(expected);
      });
    });

    describe('a metric that is not a number', () => {
      it.each([
        ['metrics.loss = null', true],
        ['metrics.loss exists', true],
        ['metrics.loss < 1', false],
        ['metrics.loss > 1', false],
        ['metrics.loss = 0', false],
        ['metrics.loss != 0', true]
      ])('should make %j %s for NaN and for null', (text, expected) => {
        expect(test(text, run({ metrics: { loss: NaN } }))).toBe(expected);
        expect(test(text, run({ metrics: { loss: null } }))).toBe(expected);
      });
    });

    it('should compare Infinity as a number', () => {
      const diverged = run({ metrics: { loss: Infinity } });
      expect(test('metrics.loss > 1e308', diverged)).toBe(true);
    });

    describe('the attributes', () => {
      it.each([
        ['name = swift-otter-1', true],
        ['name ~ OTTER', true],
        ['id = r1', true],
        ['notebook = "analysis/train.ipynb"', true],
        ['notebook ~ train', true],
        ['status in (finished, failed)', true],
        ['status != running', true],
        ['status ~ fin', true],
        ['status = FINISHED', true],
        ['note ~ "Baseline"', true],
        ['note exists', true],
        ['pinned', true],
        ['pinned = true', true],
        ['archived', false],
        ['not archived', true],
        ['archived = false', true]
      ])('should evaluate %j', (text, expected) => {
        const target = run({ note: 'baseline, seed 69', pinned: true });
        expect(test(text, target)).toBe(expected);
      });

      it('should take pinned and archived as false when not known', () => {
        expect(test('pinned = false')).toBe(true);
        expect(test('archived = false')).toBe(true);
        expect(test('pinned exists')).toBe(true);
      });

      it('should take an ended of null as missing', () => {
        const running = run({ status: 'running', endedAt: null });
        expect(test('ended = null', running)).toBe(true);
        expect(test('ended exists', running)).toBe(false);
        expect(test('ended < 1d', running)).toBe(false);
        expect(test('ended exists')).toBe(true);
      });
    });

    describe('dates', () => {
      const onMay1 = run({ startedAt: new Date(2024, 4, 1, 14, 30).getTime() });

      it.each([
        ['started = "2024-05-01"', true],
        ['started = 2024-05-01', true],
        ['started != 2024-05-01', false],
        ['started = 2024-05-02', false],
        ['started >= 2024-05-01', true],
        ['started > 2024-05-01', false],
        ['started <= 2024-05-01', true],
        ['started < 2024-05-01', false],
        ['started > 2024-04-30', true],
        ['started < 2024-05-02', true],
        ['started = 2024-05-01T14:30', true],
        ['started = "2024-05-01 14:31"', false],
        ['started > "2024-05-01 14:29"', true],
        ['started in (2024-04-30, 2024-05-01)', true]
      ])('should evaluate %j against a span', (text, expected) => {
        expect(test(text, onMay1)).toBe(expected);
      });

      it.each([
        ['started > 7d', true],
        ['started > 1d', false],
        ['started < 1d', true],
        ['started < 3d', false],
        ['started >= 49h', true],
        ['started > 2w', true],
        ['started > 172800s', false],
        ['ended > 2d', true]
      ])('should evaluate %j against the age of the run', (text, expected) => {
        expect(test(text)).toBe(expected);
      });

      it('should read a number as epoch milliseconds', () => {
        const started = run().startedAt;
        expect(test(`started = ${started}`)).toBe(true);
        expect(test(`started >= ${started}`)).toBe(true);
        expect(test(`started > ${started}`)).toBe(false);
        expect(test(`started < ${started + 1}`)).toBe(true);
      });
    });

    describe('durations', () => {
      it.each([
        ['duration = 90', true],
        ['duration > 1m', true],
        ['duration < 1.5m', false],
        ['duration <= 1.5m', true],
        ['duration > 1h', false]
      ])('should evaluate %j for a run that ended', (text, expected) => {
        expect(test(text)).toBe(expected);
      });

      it('should measure a running run up to now', () => {
        const running = run({
          status: 'running',
          startedAt: NOW - 2 * HOUR,
          endedAt: null
        });
        expect(test('duration > 1h', running)).toBe(true);
        expect(test('duration < 3h', running)).toBe(true);
      });

      it('should prefer the duration it is given', () => {
        expect(test('duration = 5', run({ duration: 5 }))).toBe(true);
        expect(test('duration = null', run({ duration: null }))).toBe(true);
      });

      it('should take the duration of a run that never ended as missing', () => {
        const lost = run({ status: 'crashed', endedAt: null });
        expect(test('duration exists', lost)).toBe(false);
      });
    });
  });

  describe('#compileQuery()', () => {
    it('should resolve ages at compile time, from the given now', () => {
      const query = parsed('started > 1d');
      const recent = run({ startedAt: NOW - HOUR });
      expect(compileQuery(query, { now: NOW })(recent)).toBe(true);
      expect(compileQuery(query, { now: NOW + DAY })(recent)).toBe(false);
    });

    it('should default to the present', () => {
      const query = parsed('started > 1h');
      expect(compileQuery(query)(run({ startedAt: Date.now() }))).toBe(true);
    });

    it('should filter 10,000 runs with one predicate', () => {
      const statuses = ['running', 'finished', 'failed'] as const;
      const runs = Array.from({ length: 10000 }, (_, i) =>
        run({
          id: `r${i}`,
          status: statuses[i % 3],
          params: { seed: i % 100, optimizer: i % 2 ? 'adam' : 'sgd' },
          metrics: i % 10 ? { rmse: (i % 50) / 5 } : {},
          tags: { model: i % 4 ? 'xgboost' : 'LightGBM' }
        })
      );
      const query = parsed(
        '(status = failed or params.seed < 10) and metrics.rmse < 5 ' +
          'and tags.model ~ gbm and not params.optimizer = adam'
      );
      const expected = runs.filter(
        (_, i) =>
          (i % 3 === 2 || i % 100 < 10) &&
          i % 10 !== 0 &&
          (i % 50) / 5 < 5 &&
          i % 4 === 0 &&
          i % 2 === 0
      );
      const found = filterRuns(query, runs, { now: NOW });
      expect(expected.length).toBeGreaterThan(100);
      expect(found.map(r => r.id)).toEqual(expected.map(r => r.id));
    });
  });
});
