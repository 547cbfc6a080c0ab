import type { TranslationBundle } from '@jupyterlab/translation';

import type { KnownFields } from './known';
import {
  PREFIXES,
  closestField,
  editDistance,
  fieldName,
  kindsOf,
  someNames
} from './known';
import type { Token } from './scanner';
import { Scanner } from './scanner';
import type { Attribute, Comparison, Field, QueryNode, Value } from './syntax';
import {
  ATTRIBUTES,
  BOOLEAN_ATTRIBUTES,
  COMPARISONS,
  DATE_ATTRIBUTES,
  NAMESPACES,
  STATUSES
} from './syntax';
import { parseDate } from './values';

/**
 * Reads a whole query; `null` for an empty one. Throws `QuerySyntaxError`.
 *
 * The grammar, keywords in any case:
 *
 *     query   = [ or ] ;
 *     or      = and { "or" and } ;
 *     and     = not { "and" not } ;
 *     not     = "not" not | "(" or ")" | test ;
 *     test    = field ( op value | [ "not" ] "in" "(" value { "," value } ")"
 *                     | [ "not" ] "exists" )
 *             | boolean-attribute ;
 */
export function parse(
  text: string,
  trans: TranslationBundle,
  known?: KnownFields
): QueryNode | null {
  const parser = new Parser(new Scanner(text, trans), trans, known);
  return parser.query();
}

/**
 * What to write instead of an operator or word the language does not have.
 */
const OPERATOR_HINTS: Readonly<Record<string, string>> = {
  '<>': '"!="',
  '===': '"="',
  '!==': '"!="',
  '=<': '"<="',
  '=>': '">="',
  '=~': '"~"',
  '~=': '"~"',
  '&&': '"and"',
  '&': '"and"',
  '||': '"or"',
  '|': '"or"',
  '!': '"not"',
  is: '"= null" or "not exists"',
  like: '"~"',
  ilike: '"~"',
  contains: '"~"',
  eq: '"="',
  ne: '"!="',
  neq: '"!="'
};

/**
 * How deep parentheses and `not` may nest: far beyond any query a person
 * writes, well within the call stack.
 */
const MAX_DEPTH = 100;

const KEYWORDS = ['and', 'or', 'not', 'in', 'exists', 'true', 'false', 'null'];

/**
 * A recursive descent parser over the scanner's tokens, one rule a method.
 */
class Parser {
  constructor(
    private readonly _scanner: Scanner,
    private readonly _trans: TranslationBundle,
    private readonly _known?: KnownFields
  ) {}

  query(): QueryNode | null {
    if (this._scanner.peek().kind === 'end') {
      return null;
    }
    const node = this._or();
    const token = this._scanner.peek();
    if (token.kind === ')') {
      this._fail(
        this._trans.__(
          'Unexpected ")" %1: no "(" is open',
          this._scanner.at(token.start)
        ),
        token
      );
    }
    if (token.kind !== 'end') {
      this._unexpected(
        token,
        this._trans.__(
          'Unexpected "%1" %2: expected "and", "or" or the end of the query',
          token.text,
          this._scanner.at(token.start)
        )
      );
    }
    return node;
  }

  private _or(): QueryNode {
    return this._chain('or', () => this._and());
  }

  private _and(): QueryNode {
    return this._chain('and', () => this._not());
  }

  /**
   * Operands joined by one keyword, flattened into one node.
   */
  private _chain(keyword: 'and' | 'or', operand: () => QueryNode): QueryNode {
    const operands = [operand()];
    while (this._isKeyword(this._scanner.peek(), keyword)) {
      this._scanner.next();
      operands.push(operand());
    }
    return operands.length === 1 ? operands[0] : { type: keyword, operands };
  }

  private _not(): QueryNode {
    const token = this._scanner.peek();
    if (!this._isKeyword(token, 'not') && token.kind !== '(') {
      return this._test();
    }
    if (++this._depth > MAX_DEPTH) {
      this._fail(
        this._trans.__(
          'The query nests parentheses or "not" too deep %1',
          this._scanner.at(token.start)
        ),
        token
      );
    }
    let node: QueryNode;
    if (token.kind === '(') {
      node = this._group();
    } else {
      this._scanner.next();
      node = { type: 'not', operand: this._not() };
    }
    this._depth--;
    return node;
  }

  private _group(): QueryNode {
    const open = this._scanner.next();
    const node = this._or();
    const token = this._scanner.next();
    if (token.kind === 'end') {
      this._fail(
        this._trans.__(
          'Missing ")" to close the "(" %1',
          this._scanner.at(open.start)
        ),
        open
      );
    }
    if (token.kind !== ')') {
      this._unexpected(
        token,
        this._trans.__(
          'Unexpected "%1" %2: expected "and", "or" or ")"',
          token.text,
          this._scanner.at(token.start)
        )
      );
    }
    return node;
  }

  private _test(): QueryNode {
    const { field, text, span } = this._field();
    const token = this._scanner.peek();
    if (!(this._isKeyword(token, 'exists') || this._isKeyword(token, 'not'))) {
      // `params.x exists` asks whether a run has it: never a mistake.
      this._checkKnown(field, text, span);
    }
    if (token.kind === 'op' && COMPARISONS.includes(token.text)) {
      this._scanner.next();
      const op = (token.text === '==' ? '=' : token.text) as Comparison;
      if ((op === '~' || op === '!~') && isDateField(field)) {
        this._fail(
          this._trans.__(
            'Dates cannot be searched with "%1" %2: compare them, as in %3 >= 2024-05-01',
            op,
            this._scanner.at(token.start),
            text
          ),
          token
        );
      }
      return { type: 'compare', field, op, value: this._value(field, token) };
    }
    let negated = false;
    if (this._isKeyword(token, 'not')) {
      this._scanner.next();
      negated = true;
    }
    const node = this._membership(field, text, negated);
    if (node) {
      return negated ? { type: 'not', operand: node } : node;
    }
    if (field.kind === 'attribute' && BOOLEAN_ATTRIBUTES.includes(field.name)) {
      const value = { type: 'boolean', value: true, text: 'true' } as const;
      return { type: 'compare', field, op: '=', value };
    }
    return this._unexpected(
      token,
      this._trans.__(
        'Expected an operator after "%1" %2: =, !=, <, <=, >, >=, ~, !~, in or exists',
        text,
        this._scanner.at(token.start)
      )
    );
  }

  /**
   * `in (…)` or `exists` after a field (and maybe `not`), or `null` when
   * neither follows and nothing was consumed.
   */
  private _membership(
    field: Field,
    text: string,
    negated: boolean
  ): QueryNode | null {
    const token = this._scanner.peek();
    if (this._isKeyword(token, 'exists')) {
      this._scanner.next();
      return { type: 'exists', field };
    }
    if (this._isKeyword(token, 'in')) {
      this._scanner.next();
      return { type: 'in', field, values: this._list(field) };
    }
    if (negated) {
      this._unexpected(
        token,
        this._trans.__(
          'Expected "in" or "exists" after "%1 not" %2',
          text,
          this._scanner.at(token.start)
        )
      );
    }
    return null;
  }

  private _list(field: Field): Value[] {
    const open = this._scanner.next();
    if (open.kind !== '(') {
      this._fail(
        this._trans.__(
          'Expected "(" after "in" %1, as in: status in (failed, crashed)',
          this._scanner.at(open.start)
        ),
        open
      );
    }
    const values = [this._value(field, open)];
    let separator = this._scanner.next();
    while (separator.kind === ',') {
      values.push(this._value(field, separator));
      separator = this._scanner.next();
    }
    if (separator.kind === 'end') {
      this._fail(
        this._trans.__(
          'Missing ")" to close the "(" %1',
          this._scanner.at(open.start)
        ),
        open
      );
    }
    if (separator.kind !== ')') {
      this._unexpected(
        separator,
        this._trans.__(
          'Unexpected "%1" %2: expected "," or ")" in the list',
          separator.text,
          this._scanner.at(separator.start)
        )
      );
    }
    return values;
  }

  /**
   * A field: `params.<name>`, `metrics.<name>`, `tags.<name>` (the name bare,
   * in backquotes or as `["name"]`) or an attribute.
   */
  private _field(): {
    field: Field;
    text: string;
    span: { start: number; end: number };
  } {
    const token = this._scanner.next();
    if (token.kind !== 'word' || KEYWORDS.includes(token.text.toLowerCase())) {
      this._unexpected(
        token,
        this._trans.__(
          'Expected a field %1, like params.seed, metrics.rmse, tags.model or status',
          this._scanner.at(token.start)
        )
      );
    }
    const dot = token.text.indexOf('.');
    const head = (
      dot < 0 ? token.text : token.text.slice(0, dot)
    ).toLowerCase();
    const kind = Object.prototype.hasOwnProperty.call(NAMESPACES, head)
      ? NAMESPACES[head]
      : undefined;
    if (kind && dot >= 0) {
      this._refuseAdjacent(token, '`');
      return {
        field: { kind, name: token.text.slice(dot + 1) },
        text: token.text,
        span: token
      };
    }
    if (kind) {
      const name = this._quotedName(token);
      const text = this._scanner.source.slice(token.start, name.end);
      return {
        field: { kind, name: name.value },
        text,
        span: { start: token.start, end: name.end }
      };
    }
    if (dot < 0 && (ATTRIBUTES as readonly string[]).includes(head)) {
      return {
        field: { kind: 'attribute', name: head as Attribute },
        text: token.text,
        span: token
      };
    }
    return { ...this._unknownField(token), span: token };
  }

  /**
   * The name after `params` written `.\`name\`` or `["name"]`.
   */
  private _quotedName(namespace: Token): { value: string; end: number } {
    const token = this._scanner.next();
    const adjacent = token.start === namespace.end;
    if (adjacent && token.kind === '.') {
      const name = this._scanner.next();
      if (name.kind === 'name' && name.start === token.end && name.value) {
        return name;
      }
    } else if (adjacent && token.kind === '[') {
      const name = this._scanner.next();
      const close = this._scanner.next();
      if (name.kind === 'string' && name.value && close.kind === ']') {
        return { value: name.value, end: close.end };
      }
    }
    return this._fail(
      this._trans.__(
        'Expected a name after "%1" %2, as in: %1.seed, %1.`val/loss` or %1["val/loss"]',
        namespace.text,
        this._scanner.at(namespace.end)
      ),
      { start: namespace.end, end: token.end }
    );
  }

  /**
   * A bare word that is no attribute: the parameter, metric or tag of that
   * name when the runs at hand have exactly one, else a mistake.
   */
  private _unknownField(token: Token): { field: Field; text: string } {
    const text = token.text;
    const at = this._scanner.at(token.start);
    const kinds = this._known ? kindsOf(this._known, text) : [];
    if (kinds.length === 1) {
      return { field: { kind: kinds[0], name: text }, text };
    }
    if (kinds.length > 1) {
      const spelled = kinds.map(kind => `${PREFIXES[kind]}.${fieldName(text)}`);
      return this._fail(
        this._trans.__(
          '"%1" %2 is the name of more than one kind of field: write %3',
          text,
          at,
          spelled.join(this._trans.__(' or '))
        ),
        token
      );
    }
    const recorded = this._known ? closestField(this._known, text) : null;
    if (recorded) {
      return this._fail(
        this._trans.__(
          'Unknown field "%1" %2: did you mean "%3"?',
          text,
          at,
          recorded
        ),
        token
      );
    }
    const guess = closest(text);
    if (guess) {
      return this._fail(
        this._trans.__(
          'Unknown field "%1" %2: did you mean "%3"?',
          text,
          at,
          guess
        ),
        token
      );
    }
    return this._fail(
      this._trans.__(
        'Unknown field "%1" %2: write params.%1, metrics.%1 or tags.%1, or use one of %3',
        text,
        at,
        ATTRIBUTES.join(', ')
      ),
      token
    );
  }

  /**
   * The value after `after` (an operator, `in (` or `,`), checked against
   * what the field can hold.
   */
  private _value(field: Field, after: Token): Value {
    const token = this._scanner.next();
    const value = this._literal(token, field);
    if (!value) {
      return this._unexpected(
        token,
        this._trans.__(
          'Expected a value after "%1" %2',
          after.text,
          this._scanner.at(token.start)
        )
      );
    }
    this._refuseAdjacent(token, '"');
    const op = after.kind === 'op' ? after.text : '=';
    return this._check(field, op, value, token);
  }

  /**
   * The value a token writes, as the field reads it; `null` if it is none.
   */
  private _literal(token: Token, field: Field): Value | null {
    const isDate = isDateField(field);
    const text = token.text;
    switch (token.kind) {
      case 'number':
        return isDate
          ? { type: 'date', start: token.number, end: token.number + 1, text }
          : { type: 'number', value: token.number, text };
      case 'duration':
        return isDate
          ? { type: 'age', seconds: token.number, text }
          : { type: 'number', value: token.number, text };
      case 'date':
      case 'string': {
        const value = token.kind === 'string' ? token.value : text;
        const span = isDate ? parseDate(value) : null;
        if (isDate && !span) {
          this._fail(
            this._trans.__(
              '"%1" %2 is not a date: write dates like "2024-05-01" or "2024-05-01 14:30"',
              value,
              this._scanner.at(token.start)
            ),
            token
          );
        }
        return span
          ? { type: 'date', ...span, text: value }
          : { type: 'string', value, text: value };
      }
      case 'word':
        return wordValue(text);
      default:
        return null;
    }
  }

  /**
   * Refuses values an attribute cannot hold and operators a value cannot be
   * compared with, so a query that can never match says why.
   */
  private _check(field: Field, op: string, value: Value, token: Token): Value {
    const at = this._scanner.at(token.start);
    const isOrdered = op === '<' || op === '<=' || op === '>' || op === '>=';
    const isSearch = op === '~' || op === '!~';
    if (isSearch && value.type === 'null') {
      this._fail(
        this._trans.__('Expected text to search for after "%1" %2', op, at),
        token
      );
    }
    if (isOrdered && (value.type === 'null' || value.type === 'boolean')) {
      this._fail(
        this._trans.__(
          '%1 cannot be compared with "%2" %3: use = or !=',
          value.text,
          op,
          at
        ),
        token
      );
    }
    if (field.kind !== 'attribute') {
      return value;
    }
    const name = field.name;
    if (name === 'status' && !isSearch) {
      return this._status(value, token);
    }
    if (DATE_ATTRIBUTES.includes(name)) {
      if (!['date', 'age', 'null'].includes(value.type)) {
        this._fail(
          this._trans.__(
            'Expected a date like "2024-05-01" or an age like 7d after "%1" %2',
            name,
            at
          ),
          token
        );
      }
    }
    if (
      name === 'duration' &&
      value.type !== 'number' &&
      value.type !== 'null'
    ) {
      this._fail(
        this._trans.__(
          'Expected a number of seconds or a duration like 5m, 2h after "duration" %1',
          at
        ),
        token
      );
    }
    if (BOOLEAN_ATTRIBUTES.includes(name) && value.type !== 'boolean') {
      this._fail(
        this._trans.__('Expected true or false after "%1" %2', name, at),
        token
      );
    }
    return value;
  }

  /**
   * A status compared with `=`, `!=` or `in`, in lowercase.
   */
  private _status(value: Value, token: Token): Value {
    const status = value.type === 'string' ? value.value.toLowerCase() : '';
    if ((STATUSES as readonly string[]).includes(status)) {
      return { type: 'string', value: status, text: value.text };
    }
    return this._fail(
      this._trans.__(
        'Unknown status "%1" %2: the statuses are %3',
        value.text,
        this._scanner.at(token.start),
        STATUSES.join(', ')
      ),
      token
    );
  }

  /**
   * Refuses a character the language does not know stuck to a name or
   * value, suggesting how to quote the whole thing.
   */
  private _refuseAdjacent(token: Token, quote: '`' | '"'): void {
    const next = this._scanner.peek();
    if (
      next.kind !== 'other' ||
      next.start !== token.end ||
      token.kind !== 'word'
    ) {
      return;
    }
    const source = this._scanner.source;
    const rest = /[^\s=!<>~()[\],]*/y;
    rest.lastIndex = next.start;
    rest.exec(source);
    const whole = source.slice(token.start, rest.lastIndex);
    const dot = whole.indexOf('.');
    const quoted =
      quote === '`'
        ? `${whole.slice(0, dot)}.\`${whole.slice(dot + 1)}\``
        : JSON.stringify(whole);
    this._fail(
      this._trans.__(
        'Unexpected "%1" %2: quote it, as in %3',
        next.text,
        this._scanner.at(next.start),
        quoted
      ),
      next
    );
  }

  /**
   * Throws `message`, or a better one when the token is a known mistake:
   * an operator from another language, or a character out of place.
   */
  private _unexpected(token: Token, message: string): never {
    const at = this._scanner.at(token.start);
    const lower = token.text.toLowerCase();
    const isHinted =
      (token.kind === 'op' || token.kind === 'word') &&
      Object.prototype.hasOwnProperty.call(OPERATOR_HINTS, lower);
    if (isHinted) {
      this._fail(
        this._trans.__(
          'Unknown operator "%1" %2: use %3 instead',
          token.text,
          at,
          OPERATOR_HINTS[lower]
        ),
        token
      );
    }
    if (token.kind === 'op' && !COMPARISONS.includes(token.text)) {
      this._fail(
        this._trans.__(
          'Unknown operator "%1" %2: the operators are =, !=, <, <=, >, >=, ~, !~, in and exists',
          token.text,
          at
        ),
        token
      );
    }
    if (token.kind === 'other') {
      this._fail(
        this._trans.__('Unexpected character "%1" %2', token.text, at),
        token
      );
    }
    return this._fail(message, token);
  }

  private _isKeyword(token: Token, keyword: string): boolean {
    return token.kind === 'word' && token.text.toLowerCase() === keyword;
  }

  /**
   * Refuse a parameter, metric or tag that no run at hand records: the
   * query would match nothing, and `params.sed` is a typing mistake.
   */
  private _checkKnown(
    field: Field,
    text: string,
    span: { start: number; end: number }
  ): void {
    const known = this._known;
    if (
      !known ||
      field.kind === 'attribute' ||
      known[field.kind].has(field.name)
    ) {
      return;
    }
    const at = this._scanner.at(span.start);
    const guess = closestField(known, field.name, field.kind);
    const what = {
      param: this._trans.__('parameter'),
      metric: this._trans.__('metric'),
      tag: this._trans.__('tag')
    }[field.kind];
    if (guess) {
      this._fail(
        this._trans.__(
          'No run here has the %1 "%2" %3: did you mean %4?',
          what,
          field.name,
          at,
          guess
        ),
        span
      );
    }
    if (known[field.kind].size === 0) {
      this._fail(
        this._trans.__('No run here has any %1 %2 ("%3")', what, at, text),
        span
      );
    }
    this._fail(
      this._trans.__(
        'No run here has the %1 "%2" %3; they have: %4',
        what,
        field.name,
        at,
        someNames(known, field.kind)
      ),
      span
    );
  }

  private _fail(message: string, span: { start: number; end: number }): never {
    return this._scanner.fail(message, span.start, span.end);
  }

  private _depth = 0;
}

function isDateField(field: Field): boolean {
  return field.kind === 'attribute' && DATE_ATTRIBUTES.includes(field.name);
}

/**
 * A bare word as a value: `true`, `false`, `null`, or text (`failed`,
 * `xgboost-v2`). The other keywords are no values.
 */
function wordValue(text: string): Value | null {
  const lower = text.toLowerCase();
  switch (lower) {
    case 'true':
    case 'false':
      return { type: 'boolean', value: lower === 'true', text: lower };
    case 'null':
      return { type: 'null', text: lower };
    default:
      return KEYWORDS.includes(lower)
        ? null
        : { type: 'string', value: text, text };
  }
}

/**
 * The attribute or field prefix an unknown field was most likely meant to
 * be (at most two typing mistakes away), `params.seed` for `parms.seed`.
 */
function closest(text: string): string | null {
  const dot = text.indexOf('.');
  const head = (dot < 0 ? text : text.slice(0, dot)).toLowerCase();
  const candidates = dot < 0 ? ATTRIBUTES : ['params', 'metrics', 'tags'];
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(head, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === null || dot < 0 ? best : best + text.slice(dot);
}
