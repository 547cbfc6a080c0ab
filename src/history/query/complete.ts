/**
 * Field names offered while a filter query is typed: `params.se` → the
 * parameters of the runs at hand starting with `se`. Pure: the sidebar's
 * filter box shows what this returns.
 */
import { nullTranslator } from '@jupyterlab/translation';

import { QuerySyntaxError } from './errors';
import type { KnownFields } from './known';
import { fieldName, PREFIXES } from './known';
import { Scanner } from './scanner';
import type { NamedField } from './syntax';
import { ATTRIBUTES, NAMESPACES } from './syntax';

/**
 * What to offer: `options` replace the text from `from` to `to`.
 */
export type Completion = {
  readonly from: number;
  readonly to: number;
  readonly options: readonly string[];
};

/**
 * How many names are offered at most: a short list to read at a glance.
 */
export const MAX_OPTIONS = 8;

/**
 * The field names that may complete the word at `caret` in `text`, best
 * first, or `null` when there is nothing to offer: an empty word, a word
 * where the query expects an operator or a value, or no name matching.
 */
export function completeField(
  text: string,
  caret: number,
  known: KnownFields | null,
  limit = MAX_OPTIONS
): Completion | null {
  const from = wordStart(text, caret);
  const to = wordEnd(text, caret);
  const typed = text.slice(from, caret);
  // A name starts with a letter or `_`; `-3` or `.5` is a value.
  if (!/^[\p{L}_]/u.test(typed) || !expectsField(text.slice(0, from))) {
    return null;
  }
  const word = text.slice(from, to);
  const ranked: { candidate: Candidate; rank: number }[] = [];
  for (const candidate of candidates(known)) {
    const rank = rankOf(candidate, typed);
    // The word already written in full needs no offer.
    if (rank !== null && candidate.text !== word) {
      ranked.push({ candidate, rank });
    }
  }
  if (ranked.length === 0) {
    return null;
  }
  // Best match first, then attributes, parameters, metrics and tags, each
  // in the order of their names.
  ranked.sort(
    (a, b) =>
      a.rank - b.rank ||
      KIND_ORDER.indexOf(a.candidate.kind) -
        KIND_ORDER.indexOf(b.candidate.kind) ||
      compareNames(a.candidate.name, b.candidate.name)
  );
  return {
    from,
    to,
    options: ranked.slice(0, limit).map(entry => entry.candidate.text)
  };
}

/**
 * A field as the query writes it, with what typing is matched against.
 */
type Candidate = {
  readonly text: string;
  readonly kind: NamedField['kind'] | 'attribute';
  readonly name: string;
};

const KIND_ORDER: readonly Candidate['kind'][] = [
  'attribute',
  'param',
  'metric',
  'tag'
];

function compareNames(a: string, b: string): number {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

function* candidates(known: KnownFields | null): Iterable<Candidate> {
  for (const name of ATTRIBUTES) {
    yield { text: name, kind: 'attribute', name };
  }
  if (!known) {
    return;
  }
  for (const kind of ['param', 'metric', 'tag'] as const) {
    for (const name of known[kind]) {
      yield { text: `${PREFIXES[kind]}.${fieldName(name)}`, kind, name };
    }
  }
}

/**
 * How well `candidate` matches what was typed: 0 starts with it, 1 its name
 * starts with it (`seed` for `params.seed`), 2 its name contains it; `null`
 * when it does not match. Case is ignored, as it is for the prefixes.
 */
function rankOf(candidate: Candidate, typed: string): number | null {
  const lower = typed.toLowerCase();
  const dot = lower.indexOf('.');
  const namespace = dot > 0 ? NAMESPACES[lower.slice(0, dot)] : undefined;
  if (namespace) {
    // `param.se` and `PARAMS.se` reach the parameters as `params.se` does.
    if (candidate.kind !== namespace) {
      return null;
    }
    const rest = lower.slice(dot + 1);
    const name = candidate.name.toLowerCase();
    return name.startsWith(rest) ? 0 : name.includes(rest) ? 2 : null;
  }
  const name = candidate.name.toLowerCase();
  if (candidate.text.toLowerCase().startsWith(lower)) {
    return 0;
  }
  // Within the name only: every parameter's `params.` holds an "s".
  return name.startsWith(lower) ? 1 : name.includes(lower) ? 2 : null;
}

/**
 * Whether a field may come after `before`: at the start, after `(`, `and`,
 * `or` or a leading `not`; not after a field, an operator or a value.
 */
function expectsField(before: string): boolean {
  const scanner = new Scanner(before, nullTranslator.load('jupyterlab_runs'));
  let state: 'field' | 'afterField' | 'value' | 'list' | 'afterTest' = 'field';
  try {
    let token = scanner.next();
    while (token.kind !== 'end') {
      const keyword = token.kind === 'word' ? token.text.toLowerCase() : '';
      const joins = keyword === 'and' || keyword === 'or';
      switch (state) {
        case 'field':
          if (keyword === 'not' || token.kind === '(') {
            break;
          }
          state = token.kind === 'word' ? 'afterField' : 'afterTest';
          break;
        case 'afterField':
          if (token.kind === 'op') {
            state = 'value';
          } else if (keyword === 'in') {
            state = 'list';
          } else if (keyword === 'exists') {
            state = 'afterTest';
          } else if (joins) {
            // `pinned and …`: a boolean attribute is a whole test.
            state = 'field';
          }
          // `.`, `[`, a quoted name or `not` still belong to the field.
          break;
        case 'value':
          state = 'afterTest';
          break;
        case 'list':
          if (token.kind === ')') {
            state = 'afterTest';
          }
          break;
        case 'afterTest':
          if (joins) {
            state = 'field';
          }
          break;
      }
      token = scanner.next();
    }
  } catch (error) {
    if (error instanceof QuerySyntaxError) {
      // Inside an unclosed string or name: text, not a field.
      return false;
    }
    throw error;
  }
  return state === 'field';
}

/**
 * Where the word holding `caret` starts: letters, digits, `_`, `.` and `-`,
 * the characters of `params.validation-rmse`.
 */
function wordStart(text: string, caret: number): number {
  let start = caret;
  while (start > 0 && isWordChar(text[start - 1])) {
    start--;
  }
  return start;
}

function wordEnd(text: string, caret: number): number {
  let end = caret;
  while (end < text.length && isWordChar(text[end])) {
    end++;
  }
  return end;
}

function isWordChar(char: string): boolean {
  return /[\p{L}\p{N}_.-]/u.test(char);
}
