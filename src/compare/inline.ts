/**
 * What changed inside a changed line: `seed = 69` → `seed = 42` marks `69`
 * and `42`, so the eye goes to the change rather than reading both lines.
 */
import { editScript, internAll } from './myers';

/**
 * A piece of a line, changed or not; a line's segments put end to end give
 * the line back.
 */
export type Segment = {
  readonly text: string;
  readonly changed: boolean;
};

/**
 * Longer lines are not marked: minified or data lines, where marks would
 * cost more than they help.
 */
const MAX_LINE_LENGTH = 2000;

/**
 * The share of the two lines' characters that must be unchanged for marks
 * to be worth showing; below it the lines are simply different.
 */
const MIN_KEPT_SHARE = 0.4;

/**
 * The changed parts of a line and of the line that replaced it, at word
 * level (words, runs of spaces and single punctuation marks); null when the
 * lines are too long or have too little in common to mark.
 */
export function inlineMarks(
  oldLine: string,
  newLine: string
): { old: Segment[]; new: Segment[] } | null {
  if (
    oldLine.length > MAX_LINE_LENGTH ||
    newLine.length > MAX_LINE_LENGTH ||
    oldLine === newLine
  ) {
    return null;
  }
  const oldTokens = tokenize(oldLine);
  const newTokens = tokenize(newLine);
  const [a, b] = internAll(oldTokens, newTokens);
  const { edits, exact } = editScript(a, b, { maxEdits: 200 });
  if (!exact) {
    return null;
  }
  const old = new SegmentBuilder();
  const added = new SegmentBuilder();
  let kept = 0;
  for (const edit of edits) {
    if (edit.op === 'equal') {
      const token = oldTokens[edit.oldIndex];
      kept += token.length;
      old.push(token, false);
      added.push(token, false);
    } else if (edit.op === 'delete') {
      old.push(oldTokens[edit.oldIndex], true);
    } else {
      added.push(newTokens[edit.newIndex], true);
    }
  }
  if ((2 * kept) / (oldLine.length + newLine.length) < MIN_KEPT_SHARE) {
    return null;
  }
  return { old: old.segments, new: added.segments };
}

/**
 * Words (letters, digits, `_`), runs of white space, and any other
 * character on its own.
 */
export function tokenize(line: string): string[] {
  return line.match(/[\p{L}\p{N}_]+|\s+|[^]/gu) ?? [];
}

/**
 * Segments built token by token, neighbours of the same kind merged.
 */
class SegmentBuilder {
  readonly segments: Segment[] = [];

  push(text: string, changed: boolean): void {
    const last = this.segments[this.segments.length - 1];
    if (last && last.changed === changed) {
      this.segments[this.segments.length - 1] = {
        text: last.text + text,
        changed
      };
    } else {
      this.segments.push({ text, changed });
    }
  }
}
