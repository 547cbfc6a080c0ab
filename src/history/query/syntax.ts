/**
 * The parsed form of a Runs filter query. See docs/QUERY.md for the language.
 */

/**
 * The run attributes a query can test, by their query name.
 */
export const ATTRIBUTES = [
  'status',
  'name',
  'id',
  'notebook',
  'started',
  'ended',
  'duration',
  'note',
  'pinned',
  'archived'
] as const;

/**
 * A run attribute a query can test.
 */
export type Attribute = (typeof ATTRIBUTES)[number];

/**
 * The attributes holding a time (epoch milliseconds).
 */
export const DATE_ATTRIBUTES: readonly Attribute[] = ['started', 'ended'];

/**
 * The attributes holding `true` or `false`; written alone they mean `= true`.
 */
export const BOOLEAN_ATTRIBUTES: readonly Attribute[] = ['pinned', 'archived'];

/**
 * The statuses a run can have, as `status` compares them.
 */
export const STATUSES = [
  'running',
  'finished',
  'failed',
  'interrupted',
  'crashed'
] as const;

/**
 * The named values of a run, by the query prefix that reaches them; the
 * singular spellings are accepted too.
 */
export const NAMESPACES: Readonly<Record<string, NamedField['kind']>> = {
  params: 'param',
  param: 'param',
  metrics: 'metric',
  metric: 'metric',
  tags: 'tag',
  tag: 'tag'
};

/**
 * A parameter, metric or tag, by its name (case-sensitive).
 */
export type NamedField = {
  readonly kind: 'param' | 'metric' | 'tag';
  readonly name: string;
};

/**
 * A run attribute.
 */
export type AttributeField = {
  readonly kind: 'attribute';
  readonly name: Attribute;
};

/**
 * What a test reads from a run.
 */
export type Field = NamedField | AttributeField;

/**
 * A literal written in a query.
 *
 * #### Notes
 * `text` is the literal as written: `~` searches for it when the value is not
 * text. A `date` is the span its precision covers (a whole day for
 * `2024-05-01`), `end` excluded; an age like `7d` compared with a date is the
 * instant that long before the query was compiled, so it is resolved then.
 */
export type Value =
  | { readonly type: 'number'; readonly value: number; readonly text: string }
  | { readonly type: 'string'; readonly value: string; readonly text: string }
  | { readonly type: 'boolean'; readonly value: boolean; readonly text: string }
  | { readonly type: 'null'; readonly text: string }
  | {
      readonly type: 'date';
      readonly start: number;
      readonly end: number;
      readonly text: string;
    }
  | { readonly type: 'age'; readonly seconds: number; readonly text: string };

/**
 * A comparison operator; `==` is read as `=`.
 */
export type Comparison = '=' | '!=' | '<' | '<=' | '>' | '>=' | '~' | '!~';

/**
 * The comparison operators, longest first so that scanning is greedy.
 */
export const COMPARISONS: readonly string[] = [
  '==',
  '!=',
  '!~',
  '<=',
  '>=',
  '=',
  '<',
  '>',
  '~'
];

/**
 * A node of a parsed query. `start` and `end` are offsets in the query text.
 */
export type QueryNode =
  | { readonly type: 'and' | 'or'; readonly operands: readonly QueryNode[] }
  | { readonly type: 'not'; readonly operand: QueryNode }
  | {
      readonly type: 'compare';
      readonly field: Field;
      readonly op: Comparison;
      readonly value: Value;
    }
  | {
      readonly type: 'in';
      readonly field: Field;
      readonly values: readonly Value[];
    }
  | { readonly type: 'exists'; readonly field: Field };
