import type { TranslationBundle } from '@jupyterlab/translation';

import { positionOf, QuerySyntaxError } from './errors';

/**
 * A piece of query text. `text` is the source as written; strings and
 * backquoted names carry their decoded `value`, numbers and durations their
 * `number` (seconds for a duration).
 */
export type Token =
  | (TokenBase & {
      readonly kind: 'number' | 'duration';
      readonly number: number;
    })
  | (TokenBase & { readonly kind: 'string' | 'name'; readonly value: string })
  | (TokenBase & { readonly kind: PlainKind });

/**
 * Kinds of token that carry nothing beyond their text. `op` is any run of
 * operator characters, known or not: the parser says which it expected.
 * `other` is one character the language has no use for.
 */
type PlainKind =
  'word' | 'date' | 'op' | '(' | ')' | '[' | ']' | ',' | '.' | 'other' | 'end';

type TokenBase = {
  readonly text: string;
  readonly start: number;
  readonly end: number;
};

/**
 * Seconds per duration unit: `30s`, `5m`, `2h`, `7d`, `2w`.
 */
const UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800
};

// Sticky patterns, tried at the scanner's position. A word may hold `.` and
// `-` between its parts so `metrics.validation-rmse` and `xgboost-v2` need no
// quotes: the language has no arithmetic for `-` to mean.
const SPACE = /\s+/y;
const WORD = /[\p{L}_][\p{L}\p{N}_]*(?:[.-][\p{L}\p{N}_]+)*/uy;
const DATE = /\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)?/y;
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?([smhdw])?/y;
const OPERATOR = /[=!<>~&|]+/y;
// What may not follow a number directly, and the rest of such a bad number.
const AFTER_NUMBER = /[\p{L}\p{N}_.]/uy;
const BAD_NUMBER = /[\p{L}\p{N}_.:+-]*/uy;

const PUNCTUATION = '()[],.';

const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  '"': '"',
  "'": "'",
  '`': '`',
  n: '\n',
  r: '\r',
  t: '\t'
};

/**
 * Cuts a query into tokens on demand, one ahead of the parser, so the first
 * problem in reading order is the one reported.
 */
export class Scanner {
  constructor(
    readonly source: string,
    private readonly _trans: TranslationBundle
  ) {}

  /**
   * The next token, without consuming it.
   */
  peek(): Token {
    if (!this._ahead) {
      this._ahead = this._scan();
    }
    return this._ahead;
  }

  /**
   * The next token, consumed.
   */
  next(): Token {
    const token = this.peek();
    this._ahead = null;
    return token;
  }

  /**
   * Throws a syntax error about the source from `start` to `end`.
   */
  fail(message: string, start: number, end: number): never {
    throw new QuerySyntaxError({ message, start, end });
  }

  /**
   * Where an offset is, as messages say it.
   */
  at(offset: number): string {
    return positionOf(this.source, offset, this._trans);
  }

  private _scan(): Token {
    const source = this.source;
    this._match(SPACE);
    const start = this._pos;
    if (start >= source.length) {
      return { kind: 'end', text: '', start, end: start };
    }
    const char = source[start];
    if (char === '"' || char === "'") {
      return this._string(char);
    }
    if (char === '`') {
      return this._quotedName();
    }
    if (/[\d.-]/.test(char)) {
      const number = this._number();
      if (number) {
        return number;
      }
    }
    if (PUNCTUATION.includes(char)) {
      this._pos++;
      return this._plain(char as PlainKind, start);
    }
    if (this._match(WORD)) {
      return this._plain('word', start);
    }
    if (this._match(OPERATOR)) {
      return this._plain('op', start);
    }
    // One whole character, even outside the Basic Multilingual Plane.
    this._pos += String.fromCodePoint(source.codePointAt(start)!).length;
    return this._plain('other', start);
  }

  /**
   * A date like `2024-05-01`, a number, or a duration like `5m`; `null` when
   * the text there is none of them (a lone `.` or `-`).
   */
  private _number(): Token | null {
    const start = this._pos;
    if (this._match(DATE) && !this._match(AFTER_NUMBER, false)) {
      return this._plain('date', start);
    }
    this._pos = start;
    const found = this._match(NUMBER);
    if (!found) {
      return null;
    }
    if (this._match(AFTER_NUMBER, false)) {
      this._match(BAD_NUMBER);
      const text = this.source.slice(start, this._pos);
      this.fail(
        this._trans.__(
          '"%1" %2 is not a number: write durations like 30s, 5m, 2h, 7d or 2w, and text in quotes',
          text,
          this.at(start)
        ),
        start,
        this._pos
      );
    }
    const text = this.source.slice(start, this._pos);
    const unit = found[1];
    if (unit) {
      const seconds = parseFloat(text) * UNIT_SECONDS[unit];
      return { kind: 'duration', text, start, end: this._pos, number: seconds };
    }
    return {
      kind: 'number',
      text,
      start,
      end: this._pos,
      number: Number(text)
    };
  }

  /**
   * A string in double or single quotes, with backslash escapes.
   */
  private _string(quote: string): Token {
    const source = this.source;
    const start = this._pos;
    let value = '';
    let pos = start + 1;
    while (pos < source.length && source[pos] !== quote) {
      if (source[pos] !== '\\') {
        value += source[pos++];
        continue;
      }
      const escaped = this._escape(pos);
      value += escaped.value;
      pos = escaped.end;
    }
    if (pos >= source.length) {
      this.fail(
        this._trans.__(
          'The string starting %1 is not closed: add a closing %2',
          this.at(start),
          quote
        ),
        start,
        source.length
      );
    }
    this._pos = pos + 1;
    return {
      kind: 'string',
      text: source.slice(start, this._pos),
      start,
      end: this._pos,
      value
    };
  }

  /**
   * The character an escape at `pos` (its backslash) stands for.
   */
  private _escape(pos: number): { value: string; end: number } {
    const source = this.source;
    const letter = source[pos + 1] ?? '';
    if (Object.prototype.hasOwnProperty.call(ESCAPES, letter)) {
      return { value: ESCAPES[letter], end: pos + 2 };
    }
    const hex = /^[0-9a-fA-F]{4}$/.test(source.slice(pos + 2, pos + 6));
    if (letter === 'u' && hex) {
      const code = parseInt(source.slice(pos + 2, pos + 6), 16);
      return { value: String.fromCharCode(code), end: pos + 6 };
    }
    const end = Math.min(pos + 2, source.length);
    return this.fail(
      this._trans.__(
        'Unknown escape "%1" %2: write \\\\ for a backslash, \\" or \\\' for a quote, \\n, \\t or \\uXXXX',
        source.slice(pos, end),
        this.at(pos)
      ),
      pos,
      end
    );
  }

  /**
   * A name in backquotes, taken as written: no escapes.
   */
  private _quotedName(): Token {
    const source = this.source;
    const start = this._pos;
    const close = source.indexOf('`', start + 1);
    if (close < 0) {
      this.fail(
        this._trans.__(
          'The name starting %1 is not closed: add a closing `',
          this.at(start)
        ),
        start,
        source.length
      );
    }
    this._pos = close + 1;
    const value = source.slice(start + 1, close);
    return {
      kind: 'name',
      text: source.slice(start, this._pos),
      start,
      end: this._pos,
      value
    };
  }

  private _plain(kind: PlainKind, start: number): Token {
    return {
      kind,
      text: this.source.slice(start, this._pos),
      start,
      end: this._pos
    };
  }

  /**
   * Matches a sticky pattern at the position, and moves past it unless
   * `consume` is false.
   */
  private _match(pattern: RegExp, consume = true): RegExpExecArray | null {
    pattern.lastIndex = this._pos;
    const found = pattern.exec(this.source);
    if (found && consume) {
      this._pos = pattern.lastIndex;
    }
    return found;
  }

  private _ahead: Token | null = null;
  private _pos = 0;
}
