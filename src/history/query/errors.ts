import type { TranslationBundle } from '@jupyterlab/translation';

/**
 * Why a query could not be read: a translated sentence saying where and what
 * was expected, and the offsets of the text at fault (`end` excluded) so a
 * view can underline it.
 */
export type QueryError = {
  readonly message: string;
  readonly start: number;
  readonly end: number;
};

/**
 * Thrown inside the scanner and parser, caught by `parseQuery`: the first
 * problem found ends the parse, so it need not be threaded through every rule.
 */
export class QuerySyntaxError extends Error {
  constructor(readonly error: QueryError) {
    super(error.message);
  }
}

/**
 * Says where an offset of the query is, in the words a message ends with:
 * `at column 14`, or with the line when the query spans several.
 */
export function positionOf(
  text: string,
  offset: number,
  trans: TranslationBundle
): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const column = offset - lineStart + 1;
  if (text.indexOf('\n') < 0) {
    return trans.__('at column %1', column);
  }
  const line = text.slice(0, lineStart).split('\n').length;
  return trans.__('at line %1, column %2', line, column);
}
