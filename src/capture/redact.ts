/**
 * Removes secrets from the text the frontend stores: cell outputs and
 * notebook snapshots.
 *
 * The rules are data, `jupyterlab_runs/secret_rules.json`, which the kernel
 * helper (`redact_text` in `jupyterlab_runs/helper.py`) loads too: both
 * compile the same patterns and apply them the same way. The shared corpus
 * `jupyterlab_runs/tests/secrets_corpus.json` and a test comparing both
 * implementations on it keep them equal. Every pattern starts with a literal
 * and bounds its repetitions, so redacting is linear in the text's length.
 */
import { SECRET_RULES_JSON } from './secretRules.generated';

/**
 * What a secret is replaced with.
 */
export const REDACTED = '[REDACTED]';

/**
 * The rule set's JSON, as far as the code reads it.
 */
interface IRuleSet {
  replacement: string;
  names: {
    strong: string[];
    weak: string[];
    environment_key: string;
    not_secret_last_words: string[];
    code_words: string[];
    short_number: number;
  };
  entropy: {
    min_length: number;
    max_length: number;
    hex: number;
    other: number;
    ratio: number;
  };
  templates: Record<string, string>;
  rules: IRuleJSON[];
}

interface IRuleJSON {
  id: string;
  kind: 'token' | 'pattern' | 'named' | 'block';
  ignore_case?: boolean;
  prefixes?: string[];
  body?: string;
  pattern?: string;
  patterns?: string[];
  words?: 'names';
  secret?: number[];
  before?: number;
  name?: number;
  tail?: number;
  value?: number[];
  bare?: number;
  begin?: string;
  end?: string;
}

/**
 * One compiled pattern: a rule with several prefixes, patterns or words
 * gives several.
 */
interface IRule {
  kind: IRuleJSON['kind'];
  regex: RegExp;
  head: string;
  secret: number[];
  before: number;
  name?: number;
  tail?: number;
  value: number[];
  bare?: number;
  end?: string;
}

type Span = [number, number];

type Indices = (Span | undefined)[];

const DATA = JSON.parse(SECRET_RULES_JSON) as IRuleSet;
const NAMES = DATA.names;
const ENTROPY = DATA.entropy;
const STRONG_NAME = new RegExp(NAMES.strong.join('|'), 'i');
const STRONG_NAME_AT = new RegExp(`(?:${NAMES.strong.join('|')})`, 'iy');
const WEAK_NAME = new RegExp(NAMES.weak.join('|'), 'i');
const SECRET_ENV_NAME = new RegExp(`^(?:${NAMES.environment_key})$`);
const NOT_SECRET_WORDS = new Set(NAMES.not_secret_last_words);
const CODE_WORDS = new Set(NAMES.code_words);
const SHORT_NUMBER = new RegExp(`^[0-9]{1,${NAMES.short_number}}$`);
const WHITESPACE = /[ \t\r\n\f\v]/;
const HEX = /^[0-9a-fA-F]+$/;
const UPPER = /[A-Z0-9]/;

/**
 * `text` with its ASCII letters lowered, as the helper lowers names.
 */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, letters => letters.toLowerCase());
}

function escapeLiteral(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/**
 * `{first two characters: [rest, ...]}`: one regex per start, so a search
 * skips to where it occurs (the helper groups them alike).
 */
function byStart(alternatives: [string, string][]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const [start, rest] of alternatives) {
    groups.set(start, [...(groups.get(start) ?? []), rest]);
  }
  return groups;
}

/**
 * The first two characters every match of `source` starts with (lowered),
 * escapes read.
 */
function headOf(source: string): string {
  let head = '';
  let index = 0;
  while (head.length < 2) {
    index += source[index] === '\\' ? 1 : 0;
    head += source[index];
    index++;
  }
  return head.toLowerCase();
}

function compile(data: IRuleJSON, source: string): IRule {
  return {
    kind: data.kind,
    head: headOf(source),
    // `d`: the groups' positions, which the spans are made of.
    regex: new RegExp(source, data.ignore_case ? 'gid' : 'gd'),
    secret: data.secret ?? [],
    before: data.before ?? 0,
    name: data.name,
    tail: data.tail,
    value: data.value ?? [],
    bare: data.bare,
    end: data.end
  };
}

function compileRules(data: IRuleSet): IRule[] {
  const expand = (pattern: string, word?: string) =>
    pattern.replace(/\{:([a-z_]+)\}/g, (_, name: string) =>
      name === 'word' && word !== undefined ? word : data.templates[name]
    );
  const rules: IRule[] = [];
  const tokens: [string, string][] = [];
  for (const rule of data.rules) {
    if (rule.kind === 'token') {
      for (const prefix of rule.prefixes ?? []) {
        tokens.push([
          prefix.slice(0, 2),
          `${escapeLiteral(prefix.slice(2))}(?:${rule.body})`
        ]);
      }
    } else if (rule.kind === 'block') {
      rules.push(compile(rule, rule.begin!));
    } else if (rule.words === 'names') {
      const words = [...data.names.strong, ...data.names.weak];
      const groups = byStart(
        words.map(word => [word.slice(0, 2), word.slice(2)])
      );
      for (const [start, rests] of groups) {
        const word = `${escapeLiteral(start)}(?:${rests.join('|')})`;
        rules.push(compile(rule, expand(rule.pattern!, word)));
      }
    } else {
      for (const pattern of rule.patterns ?? [rule.pattern!]) {
        rules.push(compile(rule, expand(pattern)));
      }
    }
  }
  // Every token starts at a boundary: not after a letter, digit, `_` or `-`,
  // unless after an escape such as the `\n` of a string's repr.
  for (const [start, rests] of byStart(tokens)) {
    const literal = escapeLiteral(start);
    const boundary = `(?:(?<![A-Za-z0-9_\\-]${literal})|(?<=\\\\[nrt]${literal}))`;
    rules.push(
      compile(
        { id: 'token', kind: 'token' },
        `${literal}${boundary}(?:${rests.join('|')})`
      )
    );
  }
  return rules;
}

const RULES = compileRules(DATA);

/**
 * A short text (a name, a parameter) is first searched for the rules' heads
 * at once, and only the rules whose head occurs in it run, as in the helper.
 */
const HEADS = new RegExp(
  `(?=(${[...new Set(RULES.map(rule => escapeLiteral(rule.head)))].sort().join('|')}))`,
  'gi'
);
const SHORT_TEXT = 4096;

/**
 * Whether `value` looks random enough to be a key (the test for values of
 * weak names such as `key`), measured on characters as the helper does.
 */
function highEntropy(value: string): boolean {
  const chars = Array.from(value);
  if (chars.length < ENTROPY.min_length || WHITESPACE.test(value)) {
    return false;
  }
  const measured = chars.slice(0, ENTROPY.max_length);
  const counts = new Map<string, number>();
  for (const char of measured) {
    counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let entropy = 0;
  for (const count of counts.values()) {
    const share = count / measured.length;
    entropy -= share * Math.log2(share);
  }
  const limit = HEX.test(measured.join('')) ? ENTROPY.hex : ENTROPY.other;
  return entropy >= Math.min(limit, ENTROPY.ratio * Math.log2(measured.length));
}

/**
 * What follows the last `_`, `.` or `-` of a name.
 */
function lastWord(name: string): string {
  return name.slice(
    Math.max(
      name.lastIndexOf('_'),
      name.lastIndexOf('.'),
      name.lastIndexOf('-')
    ) + 1
  );
}

type Strength = 'strong' | 'weak' | null;

function nameStrength(name: string): Strength {
  if (NOT_SECRET_WORDS.has(lastWord(asciiLower(name)))) {
    return null;
  }
  if (STRONG_NAME.test(name) || SECRET_ENV_NAME.test(name)) {
    return 'strong';
  }
  return WEAK_NAME.test(name) ? 'weak' : null;
}

/**
 * Whether the `KEY` at `start` ends an environment-style name: `STRIPE_KEY`,
 * not `sort_key`.
 */
function environmentKeyAt(text: string, start: number): boolean {
  return (
    text.slice(start, start + 3) === 'KEY' &&
    start >= 2 &&
    text[start - 1] === '_' &&
    UPPER.test(text[start - 2])
  );
}

function namedSpan(
  rule: IRule,
  start: number,
  indices: Indices,
  text: string
): Span | null {
  let strength: Strength;
  if (rule.name !== undefined) {
    const [from, to] = indices[rule.name]!;
    strength = nameStrength(text.slice(from, to));
  } else {
    const tail = indices[rule.tail!]!;
    if (
      tail[1] > tail[0] &&
      NOT_SECRET_WORDS.has(lastWord(asciiLower(text.slice(start, tail[1]))))
    ) {
      return null; // `password_length = 12`, `token_url: ...`
    }
    STRONG_NAME_AT.lastIndex = start;
    strength = STRONG_NAME_AT.test(text) ? 'strong' : 'weak';
    if (strength === 'weak' && environmentKeyAt(text, start)) {
      strength = 'strong';
    }
  }
  if (strength === null) {
    return null;
  }
  for (const group of rule.value) {
    const span = indices[group];
    if (span === undefined) {
      continue;
    }
    const value = text.slice(span[0], span[1]);
    if (
      group === rule.bare &&
      (text[span[1]] === '(' ||
        text[span[1]] === '[' ||
        CODE_WORDS.has(value) ||
        SHORT_NUMBER.test(value))
    ) {
      return null; // `password = getpass()`, `token = None`, `pass: 3`
    }
    if (strength === 'weak' && !highEntropy(value)) {
      return null;
    }
    return span;
  }
  return null;
}

/**
 * Every secret in `text`, as the rules find them (unsorted, maybe
 * overlapping).
 */
function secretSpans(text: string): Span[] {
  let rules = RULES;
  if (text.length <= SHORT_TEXT) {
    const heads = new Set(
      Array.from(text.matchAll(HEADS), match => match[1].toLowerCase())
    );
    rules = RULES.filter(rule => heads.has(rule.head));
  }
  const spans: Span[] = [];
  for (const rule of rules) {
    const regex = rule.regex;
    regex.lastIndex = 0;
    if (rule.kind === 'block') {
      let match: RegExpExecArray | null;
      while ((match = regex.exec(text)) !== null) {
        const after = match.index + match[0].length;
        const found = text.indexOf(rule.end!, after);
        const end = found < 0 ? text.length : found;
        spans.push([after, end]);
        regex.lastIndex = Math.max(end, after + 1);
      }
      continue;
    }
    let match: RegExpExecArray | null;
    while ((match = regex.exec(text)) !== null) {
      const indices = (match as RegExpExecArray & { indices: Indices }).indices;
      if (rule.kind === 'token') {
        spans.push(indices[0]!);
      } else if (rule.kind === 'pattern') {
        const group = rule.secret.find(index => indices[index] !== undefined);
        if (group !== undefined) {
          const [start, end] = indices[group]!;
          spans.push([start - rule.before, end]);
        }
      } else {
        const span = namedSpan(rule, match.index, indices, text);
        if (span !== null) {
          spans.push(span);
        }
      }
    }
  }
  return spans;
}

/**
 * Replace every secret in `text` with {@link REDACTED} (overlapping or
 * touching secrets with one).
 */
export function redactText(text: string): string {
  if (!text) {
    return text;
  }
  const spans = secretSpans(text).filter(([start, end]) => start < end);
  if (spans.length === 0) {
    return text;
  }
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const parts: string[] = [];
  let kept = 0;
  let [start, end] = spans[0];
  for (const [nextStart, nextEnd] of spans.slice(1)) {
    if (nextStart <= end) {
      end = Math.max(end, nextEnd);
      continue;
    }
    parts.push(text.slice(kept, start), REDACTED);
    [kept, start, end] = [end, nextStart, nextEnd];
  }
  parts.push(text.slice(kept, start), REDACTED, text.slice(end));
  return parts.join('');
}

/**
 * Redact every string inside a JSON value, except base64 data of binary
 * MIME types (images, PDF), which cannot hold readable text and which a
 * replacement would corrupt. Names (object keys) are kept, as the helper
 * does.
 */
export function redactJSON<T>(value: T): T {
  return redactValue(value, null) as T;
}

function redactValue(value: unknown, key: string | null): unknown {
  if (key !== null && isBinaryMimeType(key)) {
    return value;
  }
  if (typeof value === 'string') {
    return redactText(value);
  }
  if (Array.isArray(value)) {
    return value.map(item => redactValue(item, null));
  }
  if (value !== null && typeof value === 'object') {
    const redacted: Record<string, unknown> = {};
    for (const [name, item] of Object.entries(value)) {
      redacted[name] = redactValue(item, name);
    }
    return redacted;
  }
  return value;
}

/**
 * Whether outputs of this MIME type hold base64 binary data.
 */
export function isBinaryMimeType(mimeType: string): boolean {
  return (
    (mimeType.startsWith('image/') && !mimeType.startsWith('image/svg')) ||
    mimeType === 'application/pdf'
  );
}
